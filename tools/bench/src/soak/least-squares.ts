/** One reading of a series: `x` in minutes, `y` in its unit (MB). */
export interface Point {
  readonly x: number;
  readonly y: number;
}

/**
 * The slope of the least-squares line through `points`, in y's unit per x's unit; `undefined`
 * for fewer than two points or when every point has the same `x`. Least squares weighs every
 * reading alike, so a steady leak shows in full while a heap's sawtooth partly cancels out.
 *
 * @example
 * slopeOf([{ x: 0, y: 100 }, { x: 1, y: 102 }, { x: 2, y: 104 }]); // 2
 */
export const slopeOf = (points: ReadonlyArray<Point>): number | undefined => {
  if (points.length < 2) return undefined;
  const meanX = points.reduce((sum, point) => sum + point.x, 0) / points.length;
  const meanY = points.reduce((sum, point) => sum + point.y, 0) / points.length;
  let sxy = 0;
  let sxx = 0;
  for (const { x, y } of points) {
    sxy += (x - meanX) * (y - meanY);
    sxx += (x - meanX) ** 2;
  }
  return sxx === 0 ? undefined : sxy / sxx;
};
