const UNIT_MS: Readonly<Record<string, number>> = { us: 0.001, ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/**
 * Milliseconds in a compose duration (`stop_grace_period`, healthcheck intervals): Go's format,
 * one or more number-unit pairs such as `25s`, `1m30s` or `500ms`.
 *
 * @example
 * durationMs('1m30s'); // 90000
 */
export const durationMs = (text: string): number => {
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(us|ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((part) => part[0]).join('') !== text) {
    throw new Error(`not a compose duration: ${JSON.stringify(text)} (expected e.g. 25s, 1m30s, 500ms)`);
  }
  return parts.reduce((sum, part) => sum + Number(part[1]) * (UNIT_MS[part[2] ?? ''] ?? Number.NaN), 0);
};
