/** The figures of a soak run that are reported but not judged: latency, lag and partitions. */
import { median } from '../bench/statistics.js';
import type { SoakSample, TableReading } from './soak-sample.js';

/** The middle and the worst of a figure over the samples after the warm-up. */
export interface Typical {
  readonly median: number | undefined;
  readonly max: number | undefined;
}

export interface PartitionSummary {
  /** Partitions at the first sample and the last; the fewest and the most seen at any sample. */
  readonly first: number;
  readonly last: number;
  readonly min: number;
  readonly max: number;
  /** Made and dropped during the run. */
  readonly created: number;
  readonly dropped: number;
}

export interface SoakSummary {
  /** Tasks accepted a second over the whole load. */
  readonly acceptedPerSecond: number;
  readonly latencyP95Ms: Typical;
  readonly lagP99Ms: Typical;
  readonly tasks: PartitionSummary;
  readonly batches: PartitionSummary;
}

const typical = (values: ReadonlyArray<number | undefined>): Typical => {
  const known = values.filter((value): value is number => value !== undefined && Number.isFinite(value));
  return known.length === 0
    ? { median: undefined, max: undefined }
    : { median: median(known), max: Math.max(...known) };
};

const partitionsOf = (readings: ReadonlyArray<TableReading | undefined>): PartitionSummary => {
  const known = readings.filter((reading): reading is TableReading => reading !== undefined);
  const counts = known.map((reading) => reading.partitions);
  const last = known.at(-1);
  return {
    first: counts[0] ?? 0,
    last: counts.at(-1) ?? 0,
    min: counts.length === 0 ? 0 : Math.min(...counts),
    max: counts.length === 0 ? 0 : Math.max(...counts),
    created: last?.created ?? 0,
    dropped: last?.dropped ?? 0,
  };
};

/**
 * Summarizes the samples: latency and lag after the warm-up, partitions over the whole run.
 *
 * @example
 * summarizeSoak(samples, { warmupMs: 300_000, loadMs: 1_800_000, acceptedTasks: 3_600_000 }).latencyP95Ms.max;
 */
export const summarizeSoak = (
  samples: ReadonlyArray<SoakSample>,
  run: { readonly warmupMs: number; readonly loadMs: number; readonly acceptedTasks: number },
): SoakSummary => {
  const after = samples.filter((sample) => sample.atMs >= run.warmupMs);
  return {
    acceptedPerSecond: run.loadMs > 0 ? run.acceptedTasks / (run.loadMs / 1000) : 0,
    latencyP95Ms: typical(after.map((sample) => sample.latencyP95Ms)),
    lagP99Ms: typical(after.map((sample) => sample.lagMs)),
    tasks: partitionsOf(samples.map((sample) => sample.tasks)),
    batches: partitionsOf(samples.map((sample) => sample.batches)),
  };
};
