/**
 * The figures a benchmark reports from its samples. Quantiles interpolate linearly between the
 * two nearest ranks (R's type 7, what spreadsheets call PERCENTILE.INC), so a median of an even
 * count is the mean of the middle two and small sample sets still give stable p95s.
 */

/** The middle and the extremes of repeated measurements. */
export interface Spread {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  /** How many samples the figures come from. */
  readonly n: number;
}

/** Latency percentiles, in the unit of the samples. */
export interface Percentiles {
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
  readonly n: number;
}

/** A sorted copy; a typed array sorts numerically, where `Array#sort` would compare text. */
const ascending = (samples: ReadonlyArray<number>): Float64Array => Float64Array.from(samples).sort();

/**
 * The `q`-quantile (0 ≤ q ≤ 1) of samples already sorted ascending; NaN for none.
 *
 * @example
 * quantileOfSorted([1, 2, 3, 4], 0.5); // 2.5
 */
export const quantileOfSorted = (sorted: ArrayLike<number>, q: number): number => {
  if (!(q >= 0 && q <= 1)) throw new RangeError(`a quantile must be within [0, 1], got ${q}`);
  if (sorted.length === 0) return Number.NaN;
  const at = (sorted.length - 1) * q;
  const low = sorted[Math.floor(at)] ?? Number.NaN;
  const high = sorted[Math.ceil(at)] ?? Number.NaN;
  return low + (high - low) * (at - Math.floor(at));
};

/**
 * The `q`-quantile of samples in any order.
 *
 * @example
 * quantile([30, 10, 20], 0.5); // 20
 */
export const quantile = (samples: ReadonlyArray<number>, q: number): number => quantileOfSorted(ascending(samples), q);

/**
 * The median of samples in any order; NaN for none.
 *
 * @example
 * median([3, 1, 2, 10]); // 2.5
 */
export const median = (samples: ReadonlyArray<number>): number => quantile(samples, 0.5);

/**
 * Median, min and max of repeated measurements; all NaN (n 0) for none.
 *
 * @example
 * spreadOf([7_400, 7_650, 7_512]); // { median: 7_512, min: 7_400, max: 7_650, n: 3 }
 */
export const spreadOf = (samples: ReadonlyArray<number>): Spread => {
  const sorted = ascending(samples);
  return {
    median: quantileOfSorted(sorted, 0.5),
    min: sorted[0] ?? Number.NaN,
    max: sorted[sorted.length - 1] ?? Number.NaN,
    n: sorted.length,
  };
};

/**
 * p50, p95, p99 and max of a latency distribution; all NaN (n 0) for none.
 *
 * @example
 * percentilesOf(latenciesMs).p95;
 */
export const percentilesOf = (samples: ReadonlyArray<number>): Percentiles => {
  const sorted = ascending(samples);
  return {
    p50: quantileOfSorted(sorted, 0.5),
    p95: quantileOfSorted(sorted, 0.95),
    p99: quantileOfSorted(sorted, 0.99),
    max: sorted[sorted.length - 1] ?? Number.NaN,
    n: sorted.length,
  };
};

/**
 * `numerator / denominator`, NaN when either is missing or the denominator is not positive: a
 * ratio against a run that did not happen is no figure at all, not Infinity.
 *
 * @example
 * ratio(7_500, 9_000); // 0.833…
 */
export const ratio = (numerator: number | undefined, denominator: number | undefined): number =>
  numerator === undefined || denominator === undefined || !(denominator > 0) || !Number.isFinite(numerator)
    ? Number.NaN
    : numerator / denominator;
