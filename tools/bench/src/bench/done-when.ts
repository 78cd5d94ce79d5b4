/**
 * The "Done when" lines as checks over a run's results. Pure: a check that has nothing
 * to judge (its scenario or level was not run) says so rather than passing.
 */
import type {
  BulkResult,
  CommitCostResult,
  LatencyResult,
  MemoryResult,
  TaskTypesResult,
  ThroughputResult,
} from './bench-result.js';
import { formatCount, formatMb, formatMs, formatRatio } from './format-figures.js';

export interface Check {
  /** Stable key, for the JSON result and for scripts. */
  readonly id: string;
  readonly criterion: string;
  readonly target: string;
  readonly measured: string;
  readonly status: 'met' | 'not met' | 'not run';
}

/** The targets, as the issue states them. */
export const DONE_WHEN = Object.freeze({
  /** End to end with one worker, at least this share of the no-op BullMQ worker. */
  vsNoop: 0.8,
  /** … and at least this multiple of the per-job INSERT worker. */
  vsPerJob: 2.5,
  /** Median of a group write of 100, in ms. */
  groupCommitMedianMs: 5,
  /** 100 single INSERTs over one group write, at least. */
  groupCommitSpeedup: 20,
  /** p95 at the high rate, at most, in ms. */
  highRateP95Ms: 1_000,
  highRate: 1_000,
  lowRate: 10,
  /** At the low rate, p95 lies in [BATCH_TIMEOUT_MS, BATCH_TIMEOUT_MS + this]. */
  lowRateSlackMs: 500,
  /** Peak RSS of the api and of each worker, at most, in MB. */
  peakRssMb: 200,
  /** … with this many tasks queued. */
  memoryTasks: 100_000,
  /** Twenty task types over one, in the same run, at least (issue 14). */
  manyTypesVsOne: 0.8,
  /** Groups released by timeout under sustained load, at most (issue 14). */
  timeoutsUnderLoad: 0,
  /** Bulk submissions, one worker over the no-op BullMQ worker in the same run, at least (issue 15). */
  bulkVsNoop: 2,
});

export type DoneWhen = typeof DONE_WHEN;

export interface CheckInputs {
  readonly commit?: CommitCostResult | undefined;
  readonly throughput?: ThroughputResult | undefined;
  readonly latency?: LatencyResult | undefined;
  readonly memory?: MemoryResult | undefined;
  readonly types?: TaskTypesResult | undefined;
  readonly bulk?: BulkResult | undefined;
}

const verdict = (ok: boolean | undefined): Check['status'] => (ok === undefined ? 'not run' : ok ? 'met' : 'not met');

/** NaN means the figure is missing (a run failed or was not made): nothing to judge. */
const judged = (value: number | undefined, test: (value: number) => boolean): boolean | undefined =>
  value === undefined || Number.isNaN(value) ? undefined : test(value);

const shown = (value: number | undefined, format: (value: number) => string): string =>
  value === undefined || Number.isNaN(value) ? '—' : format(value);

/**
 * Judges every Done-when line. Ratios and latencies are judged on their median over repeats;
 * peak memory on the highest peak of any repeat, since a peak is a bound.
 *
 * @example
 * const checks = evaluateChecks({ commit, throughput, latency, memory });
 * checks.filter((check) => check.status === 'not met');
 */
export const evaluateChecks = (inputs: CheckInputs, targets: DoneWhen = DONE_WHEN): ReadonlyArray<Check> => {
  const { commit, throughput, latency, memory, types, bulk } = inputs;
  const unnest = commit?.strategies.find((strategy) => strategy.name === 'unnest')?.msPerGroup.median;
  const levelOf = (rate: number) => latency?.levels.find((level) => level.rate === rate);
  const highLevel = levelOf(targets.highRate);
  const high = highLevel?.p95Ms.median;
  // A p95 measured at a rate the api did not keep up with is not the p95 at that rate.
  const keptUp = highLevel === undefined || highLevel.achievedRate.median >= 0.95 * targets.highRate;
  const low = levelOf(targets.lowRate)?.p95Ms.median;
  const timeoutMs = latency?.batchTimeoutMs ?? Number.NaN;
  const atScale = memory?.levels.find((level) => level.tasks === targets.memoryTasks);
  const vsNoop = throughput?.sluiceVsNoop.median;
  const vsPerJob = throughput?.sluiceVsPerJob.median;
  const checks: Check[] = [
    {
      id: 'e2e-vs-noop',
      criterion: 'end to end, one worker ÷ no-op BullMQ worker',
      target: `≥ ${formatRatio(targets.vsNoop)}`,
      measured: shown(vsNoop, formatRatio),
      status: verdict(judged(vsNoop, (v) => v >= targets.vsNoop)),
    },
    {
      id: 'e2e-vs-per-job',
      criterion: 'end to end, one worker ÷ per-job INSERT worker',
      target: `≥ ${formatRatio(targets.vsPerJob)}`,
      measured: shown(vsPerJob, formatRatio),
      status: verdict(judged(vsPerJob, (v) => v >= targets.vsPerJob)),
    },
    {
      id: 'group-commit-median',
      criterion: `group commit of ${commit?.groupSize ?? 100} tasks, median`,
      target: `≤ ${formatMs(targets.groupCommitMedianMs)}`,
      measured: shown(unnest, formatMs),
      status: verdict(judged(unnest, (v) => v <= targets.groupCommitMedianMs)),
    },
    {
      id: 'group-commit-speedup',
      criterion: `${commit?.groupSize ?? 100} single INSERTs ÷ one group commit`,
      target: `≥ ${formatRatio(targets.groupCommitSpeedup)}`,
      measured: shown(commit?.speedup, formatRatio),
      status: verdict(judged(commit?.speedup, (v) => v >= targets.groupCommitSpeedup)),
    },
    {
      id: 'latency-high-rate',
      criterion: `latency p95 at ${targets.highRate.toLocaleString('en-US')} tasks/s`,
      target: `≤ ${formatMs(targets.highRateP95Ms)}`,
      measured: keptUp
        ? shown(high, formatMs)
        : `${shown(high, formatMs)} at only ${formatCount(highLevel?.achievedRate.median ?? Number.NaN)}/s`,
      status: verdict(judged(high, (v) => keptUp && v <= targets.highRateP95Ms)),
    },
    {
      id: 'latency-low-rate',
      criterion: `latency p95 at ${targets.lowRate} tasks/s`,
      target: Number.isNaN(timeoutMs)
        ? `BATCH_TIMEOUT_MS to BATCH_TIMEOUT_MS + ${targets.lowRateSlackMs} ms`
        : `${formatMs(timeoutMs)} to ${formatMs(timeoutMs + targets.lowRateSlackMs)}`,
      measured: shown(low, formatMs),
      status: verdict(judged(low, (v) => v >= timeoutMs && v <= timeoutMs + targets.lowRateSlackMs)),
    },
    {
      id: 'api-peak-rss',
      criterion: `api peak RSS, ${targets.memoryTasks.toLocaleString('en-US')} tasks queued`,
      target: `≤ ${formatMb(targets.peakRssMb)}`,
      measured: shown(atScale?.apiPeakMb.max, formatMb),
      status: verdict(judged(atScale?.apiPeakMb.max, (v) => v <= targets.peakRssMb)),
    },
    {
      id: 'worker-peak-rss',
      criterion: `worker peak RSS, ${targets.memoryTasks.toLocaleString('en-US')} tasks queued`,
      target: `≤ ${formatMb(targets.peakRssMb)}`,
      measured: shown(atScale?.workerPeakMb.max, formatMb),
      status: verdict(judged(atScale?.workerPeakMb.max, (v) => v <= targets.peakRssMb)),
    },
    {
      id: 'task-types-vs-one',
      criterion: `${types?.types ?? 20} task types ÷ 1 type, under sustained load`,
      target: `≥ ${formatRatio(targets.manyTypesVsOne)}`,
      measured: shown(types?.manyVsOne.median, formatRatio),
      status: verdict(judged(types?.manyVsOne.median, (v) => v >= targets.manyTypesVsOne)),
    },
    {
      id: 'task-types-timeouts',
      criterion: 'groups released by timeout under sustained load',
      target: `${formatCount(targets.timeoutsUnderLoad)}`,
      measured: shown(types?.timeoutsUnderLoad, formatCount),
      status: verdict(judged(types?.timeoutsUnderLoad, (v) => v <= targets.timeoutsUnderLoad)),
    },
    {
      id: 'bulk-vs-noop',
      criterion: 'bulk, one worker ÷ no-op BullMQ worker',
      target: `≥ ${formatRatio(targets.bulkVsNoop)}`,
      measured: shown(bulk?.sluiceVsNoop.median, formatRatio),
      status: verdict(judged(bulk?.sluiceVsNoop.median, (v) => v >= targets.bulkVsNoop)),
    },
  ];
  return checks;
};
