/**
 * The figures of end-to-end runs, for the throughput and bulk scenarios: each run's own, per task
 * (a job may carry one task or a parcel of many, so nothing here counts jobs), and what the runs
 * of each consumer come to over the repeats: the spread of each figure, the median CPU split, and
 * the ratio of two consumers' rates per repeat. Pure.
 */
import {
  CONSUMERS,
  PROCESS_KINDS,
  WORKING_KINDS,
  type Consumer,
  type ConsumerFigures,
  type CpuPerTask,
  type ThroughputRun,
} from './bench-result.js';
import type { CpuWindow } from './cpu-meter.js';
import { type CommandCost, medianCommandCosts } from './redis-command-stats.js';
import { median, ratio, type Spread, spreadOf } from './statistics.js';

/** What was measured of one run, in its own units. */
export interface RunMeasurements {
  readonly consumer: Consumer;
  readonly repeat: number;
  /** Tasks submitted and finished, however many jobs carried them. */
  readonly tasks: number;
  /** From the first submission to the last job finished. */
  readonly seconds: number;
  readonly submitSeconds: number;
  /** The cores of each kind of process over the run's window. */
  readonly window: CpuWindow;
  /** What Redis ran over the run, per task, costliest first (see commandCostPerTask). */
  readonly redisCosts: ReadonlyArray<CommandCost>;
}

/**
 * A run's figures, every one per task. Redis's µs per task is its CPU per task, from /proc (NaN
 * when Redis runs on another host), not the sum of `INFO commandstats`: Redis times a script
 * with the commands it runs inside, and counts each of those commands on its own as well, so the
 * sum counts BullMQ's scripts' work twice. The commands stay beside it, each right on its own.
 *
 * @example
 * runFiguresOf({ consumer: 'sluice-1', repeat: 1, tasks: 100_000, seconds: 8, submitSeconds: 4, window, redisCosts });
 * // { tasksPerSecond: 12_500, cpuPerTask: { worker: 52, redis: 40, … }, redisMicrosPerTask: 40, … }
 */
export const runFiguresOf = (measured: RunMeasurements): ThroughputRun => {
  const { tasks, window } = measured;
  const cpuPerTask: CpuPerTask = Object.fromEntries(
    WORKING_KINDS.flatMap((kind) => {
      const cores = window.cores[kind];
      return cores === undefined ? [] : [[kind, (cores * window.wallSeconds * 1e6) / tasks]];
    }),
  );
  return {
    consumer: measured.consumer,
    repeat: measured.repeat,
    tasks,
    seconds: measured.seconds,
    tasksPerSecond: tasks / measured.seconds,
    submitSeconds: measured.submitSeconds,
    cpu: window.cores,
    cpuMicrosPerTask: Object.values(cpuPerTask).reduce((sum, micros) => sum + micros, 0),
    cpuPerTask,
    redisPerTask: measured.redisCosts.slice(0, 8),
    redisMicrosPerTask: cpuPerTask.redis ?? Number.NaN,
  };
};

/** The median of each kind's figure over runs; a kind no run has is left out. */
const medianByKind = <K extends string>(
  kinds: ReadonlyArray<K>,
  splits: ReadonlyArray<Readonly<Partial<Record<K, number>>>>,
): Readonly<Partial<Record<K, number>>> => {
  const result: Partial<Record<K, number>> = {};
  for (const kind of kinds) {
    const values = splits.flatMap((split) => (split[kind] === undefined ? [] : [split[kind]]));
    if (values.length > 0) result[kind] = median(values);
  }
  return result;
};

/**
 * Spreads and medians per consumer, for the consumers that have runs.
 *
 * @example
 * consumerFigures(runs).tasksPerSecond['sluice-1']; // { median: 7_971, min: 7_918, max: 8_245, n: 3 }
 */
export const consumerFigures = (runs: ReadonlyArray<ThroughputRun>): ConsumerFigures => {
  const present = CONSUMERS.filter((consumer) => runs.some((run) => run.consumer === consumer));
  const per = <T>(figure: (of: ReadonlyArray<ThroughputRun>) => T): Readonly<Partial<Record<Consumer, T>>> =>
    Object.fromEntries(present.map((consumer) => [consumer, figure(runs.filter((run) => run.consumer === consumer))]));
  const spreads = (figure: (run: ThroughputRun) => number) => per((of) => spreadOf(of.map(figure)));
  const splits = <K extends string>(
    kinds: ReadonlyArray<K>,
    figure: (run: ThroughputRun) => Readonly<Partial<Record<K, number>>>,
  ) => per((of) => medianByKind(kinds, of.map(figure)));
  return {
    tasksPerSecond: spreads((run) => run.tasksPerSecond),
    cpu: splits(PROCESS_KINDS, (run) => run.cpu),
    cpuMicrosPerTask: spreads((run) => run.cpuMicrosPerTask),
    cpuPerTask: splits(WORKING_KINDS, (run) => run.cpuPerTask),
    redisMicrosPerTask: spreads((run) => run.redisMicrosPerTask),
    redisCommands: per((of) => medianCommandCosts(of.map((run) => run.redisPerTask))),
  };
};

/**
 * `numerator`'s tasks/s over `denominator`'s, one ratio per repeat in which both ran: runs of a
 * repeat ran back to back, under the same conditions.
 *
 * @example
 * ratioPerRepeat(runs, 'sluice-1', 'bullmq-noop'); // { median: 0.87, min: 0.84, max: 0.87, n: 3 }
 */
export const ratioPerRepeat = (
  runs: ReadonlyArray<ThroughputRun>,
  numerator: Consumer,
  denominator: Consumer,
): Spread => {
  const repeats = [...new Set(runs.map((run) => run.repeat))];
  const rateOf = (consumer: Consumer, repeat: number): number | undefined =>
    runs.find((run) => run.consumer === consumer && run.repeat === repeat)?.tasksPerSecond;
  return spreadOf(
    repeats
      .map((repeat) => ratio(rateOf(numerator, repeat), rateOf(denominator, repeat)))
      .filter((value) => !Number.isNaN(value)),
  );
};
