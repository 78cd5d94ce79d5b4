/**
 * Quantiles of a Prometheus histogram over a window, from the difference of two scrapes of its
 * cumulative `_bucket` counters: what `histogram_quantile(q, increase(x_bucket[w]))` gives.
 */
import type { PromSample } from './prometheus-text.js';

/** Cumulative counts by upper bound, ascending, the last bound +Inf. */
export type Buckets = ReadonlyArray<{ readonly le: number; readonly count: number }>;

/**
 * The buckets of histogram `name` in `samples`, summed over its other labels (every task type).
 *
 * @example
 * bucketsOf(parsePrometheusText(text), 'sluice_task_latency_seconds'); // [{ le: 0.05, count: 3 }, …, { le: Infinity, count: 900 }]
 */
export const bucketsOf = (samples: ReadonlyArray<PromSample>, name: string): Buckets => {
  const byBound = new Map<number, number>();
  for (const sample of samples) {
    if (sample.name !== `${name}_bucket` || sample.labels.le === undefined) continue;
    const le = sample.labels.le === '+Inf' ? Number.POSITIVE_INFINITY : Number(sample.labels.le);
    byBound.set(le, (byBound.get(le) ?? 0) + sample.value);
  }
  return [...byBound.entries()].sort(([a], [b]) => a - b).map(([le, count]) => ({ le, count }));
};

/**
 * What one process's histogram counted between two scrapes. A count lower than before means the
 * process started again (its counters began at 0): then everything it counted since is new, as
 * Prometheus's `increase()` reads a reset.
 *
 * @example
 * bucketsIncrease([{ le: 1, count: 2 }, { le: Infinity, count: 5 }], [{ le: 1, count: 4 }, { le: Infinity, count: 9 }]);
 * // [{ le: 1, count: 2 }, { le: Infinity, count: 4 }]
 */
export const bucketsIncrease = (before: Buckets | undefined, after: Buckets): Buckets => {
  if (before === undefined) return after;
  const earlier = new Map(before.map((bucket) => [bucket.le, bucket.count]));
  const reset = after.some((bucket) => bucket.count < (earlier.get(bucket.le) ?? 0));
  return reset
    ? after
    : after.map((bucket) => ({ le: bucket.le, count: bucket.count - (earlier.get(bucket.le) ?? 0) }));
};

/**
 * Several processes' buckets added up bound by bound: the fleet's histogram.
 *
 * @example
 * addBuckets([worker1Increase, worker2Increase]);
 */
export const addBuckets = (all: ReadonlyArray<Buckets>): Buckets => {
  const byBound = new Map<number, number>();
  for (const buckets of all) for (const { le, count } of buckets) byBound.set(le, (byBound.get(le) ?? 0) + count);
  return [...byBound.entries()].sort(([a], [b]) => a - b).map(([le, count]) => ({ le, count }));
};

/** How many observations the buckets hold: the +Inf bucket's count. */
export const observationsOf = (buckets: Buckets): number => buckets.at(-1)?.count ?? 0;

/**
 * The `q`-quantile of the observations in `buckets`, interpolated linearly inside the bucket it
 * falls in, as Prometheus's `histogram_quantile` does: the first bucket's lower edge is 0, and a
 * quantile in the +Inf bucket is the highest finite bound. `undefined` when nothing was observed.
 *
 * @example
 * quantileOfBuckets([{ le: 1, count: 50 }, { le: 2, count: 100 }, { le: Infinity, count: 100 }], 0.95); // 1.9
 */
export const quantileOfBuckets = (buckets: Buckets, q: number): number | undefined => {
  const total = observationsOf(buckets);
  if (!(total > 0)) return undefined;
  const rank = q * total;
  let lowerBound = 0;
  let lowerCount = 0;
  for (const { le, count } of buckets) {
    if (count >= rank) {
      if (le === Number.POSITIVE_INFINITY) return lowerBound;
      return count === lowerCount ? le : lowerBound + ((le - lowerBound) * (rank - lowerCount)) / (count - lowerCount);
    }
    lowerBound = le;
    lowerCount = count;
  }
  return lowerBound;
};
