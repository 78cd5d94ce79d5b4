/**
 * What `npm run bench` measured, as written to `bench/results.json`. Every figure carries its
 * unit in its name; repeated measurements are a {@link Spread} (median, min, max).
 */
import type { FlushTrigger } from '@sluice/store';
import type { MachineInfo } from '../chaos/machine-info.js';
import type { Check } from './done-when.js';
import type { CommandCost } from './redis-command-stats.js';
import type { Percentiles, Spread } from './statistics.js';

export type ScenarioName = 'commit' | 'throughput' | 'latency' | 'http' | 'memory' | 'types' | 'bulk';

/** The scenarios in the order they run and print. */
export const SCENARIOS: ReadonlyArray<ScenarioName> = Object.freeze([
  'commit',
  'throughput',
  'latency',
  'http',
  'memory',
  'types',
  'bulk',
]);

/**
 * The kinds of process whose CPU is accounted for, in the order they print. `other` is the
 * machine's busy time beyond all of them: load someone else put on the machine during the run.
 */
export const PROCESS_KINDS = ['worker', 'redis', 'postgres', 'api', 'bench', 'other'] as const;
export type ProcessKind = (typeof PROCESS_KINDS)[number];

/**
 * Cores each kind of process kept busy over a window: its CPU seconds divided by the window's
 * wall seconds (2.0 is both cores of a 2-core machine). A kind that could not be observed (a
 * server on another host) is missing.
 */
export type CpuSplit = Readonly<Partial<Record<ProcessKind, number>>>;

/**
 * CPU µs per task of each process doing the work (worker, api, Redis, PostgreSQL): the
 * breakdown issue 15 reasons with ("Redis about 90 µs, the worker about 75 …").
 */
export type CpuPerTask = Readonly<Partial<Record<WorkingKind, number>>>;

/** The processes whose CPU a task costs; the bench and foreign load are left out. */
export const WORKING_KINDS = ['worker', 'api', 'redis', 'postgres'] as const;
export type WorkingKind = (typeof WORKING_KINDS)[number];

// ── 1. commit cost ─────────────────────────────────────────────────────────────────────────

export type CommitStrategyName = 'single-row' | 'unnest' | 'copy' | 'json-recordset';

export interface CommitStrategyResult {
  readonly name: CommitStrategyName;
  /** What one group costs in round trips to the server. */
  readonly roundTrips: string;
  /** Client wall time per group of `groupSize` rows, connection already open. */
  readonly msPerGroup: Spread;
  readonly p95Ms: number;
}

export interface CommitCostResult {
  readonly groupSize: number;
  /** Measured rounds per strategy (after the warm-up), except single-row: see `singleRowRounds`. */
  readonly rounds: number;
  readonly singleRowRounds: number;
  readonly strategies: ReadonlyArray<CommitStrategyResult>;
  /** Median of single-row over median of unnest (the store's commitGroup, what Sluice runs). */
  readonly speedup: number;
}

// ── 2. end-to-end throughput ──────────────────────────────────────────────────────────────

/** Who drains the queue: Sluice with one or two worker processes, or a plain BullMQ worker. */
export type Consumer = 'sluice-1' | 'sluice-2' | 'bullmq-noop' | 'bullmq-insert';

export const CONSUMERS: ReadonlyArray<Consumer> = Object.freeze([
  'sluice-1',
  'sluice-2',
  'bullmq-noop',
  'bullmq-insert',
]);

/**
 * The plain BullMQ workers (`baseline-worker.ts`), which count a job as a task: the end-to-end
 * scenarios feed them a job per task from the bench, not parcels through the api.
 */
export const isPlainBullmq = (consumer: Consumer): boolean =>
  consumer === 'bullmq-noop' || consumer === 'bullmq-insert';

export interface ThroughputRun {
  readonly consumer: Consumer;
  readonly repeat: number;
  readonly tasks: number;
  /** From the first submission to the last job finished (after its commit, where there is one). */
  readonly seconds: number;
  readonly tasksPerSecond: number;
  /** How long the feed took to hand every task over: the api's answers, or the bench's `addBulk` calls. */
  readonly submitSeconds: number;
  readonly cpu: CpuSplit;
  /**
   * CPU time per task of the processes doing the work (workers, api, Redis, PostgreSQL), in µs.
   * Unlike tasks/s it holds up on a machine someone else is loading: the optimisation figure.
   */
  readonly cpuMicrosPerTask: number;
  /** The same, per process. */
  readonly cpuPerTask: CpuPerTask;
  /**
   * What Redis ran per task (all clients: the adds too), costliest command first, the top 8. A
   * script's time includes the commands it runs, which are listed on their own as well.
   */
  readonly redisPerTask: ReadonlyArray<CommandCost>;
  /**
   * Redis's CPU per task, µs, from /proc (the `redis` of `cpuPerTask`); NaN when Redis runs on
   * another host. Not the commands summed, which would count scripts' work twice.
   */
  readonly redisMicrosPerTask: number;
}

/** What the runs of each consumer come to, over the repeats. */
export interface ConsumerFigures {
  readonly tasksPerSecond: Readonly<Partial<Record<Consumer, Spread>>>;
  /** Median cores per process kind, per consumer. */
  readonly cpu: Readonly<Partial<Record<Consumer, CpuSplit>>>;
  /** Median CPU µs per task of the working processes, per consumer. */
  readonly cpuMicrosPerTask: Readonly<Partial<Record<Consumer, Spread>>>;
  /** Median CPU µs per task of each working process, per consumer. */
  readonly cpuPerTask: Readonly<Partial<Record<Consumer, CpuPerTask>>>;
  /** Redis's CPU per task, µs, per consumer (see ThroughputRun.redisMicrosPerTask). */
  readonly redisMicrosPerTask: Readonly<Partial<Record<Consumer, Spread>>>;
  /** Median calls and µs per task of each Redis command, costliest first, per consumer. */
  readonly redisCommands: Readonly<Partial<Record<Consumer, ReadonlyArray<CommandCost>>>>;
}

/**
 * Scenario 2: Sluice fed by the api's load generator, `requestsInFlight` requests at once; the
 * plain BullMQ workers fed the same tasks by the bench, a job each, `addBulk` of `tasksPerAdd`,
 * `requestsInFlight` calls in flight.
 */
export interface ThroughputResult extends ConsumerFigures {
  readonly tasks: number;
  /** Generator requests sent at once, and `addBulk` calls kept in flight. */
  readonly requestsInFlight: number;
  /** Jobs in each of the plain BullMQ workers' `addBulk` calls: the generator's chunk. */
  readonly tasksPerAdd: number;
  /** BullMQ Worker concurrency of every consumer (the baselines get Sluice's). */
  readonly bullmqConcurrency: number;
  readonly runs: ReadonlyArray<ThroughputRun>;
  /** sluice-1 over bullmq-noop, one ratio per repeat (runs of a repeat ran back to back). */
  readonly sluiceVsNoop: Spread;
  /** sluice-1 over bullmq-insert, one ratio per repeat. */
  readonly sluiceVsPerJob: Spread;
}

// ── 3. latency ───────────────────────────────────────────────────────────────────────────

export type { FlushTrigger };

export interface LatencyRun {
  /** Tasks per second asked for. */
  readonly rate: number;
  readonly repeat: number;
  /** Tasks submitted in the measured window (the run-out's are not counted). */
  readonly tasks: number;
  /** Tasks per second the api accepted during the window: below `rate` when the client or the api fell behind. */
  readonly achievedRate: number;
  /** From submission (the api's `submitted_at`) to commit (`committed_at`), in ms. */
  readonly latencyMs: Percentiles;
  /** Groups committed, by what released them. */
  readonly flushes: Readonly<Record<FlushTrigger, number>>;
}

export interface LatencyLevel {
  readonly rate: number;
  readonly p50Ms: Spread;
  readonly p95Ms: Spread;
  readonly p99Ms: Spread;
  /** Share of groups released because they were full. */
  readonly sizeFlushShare: Spread;
  readonly achievedRate: Spread;
}

export interface LatencyResult {
  readonly seconds: number;
  readonly workers: number;
  readonly batchTimeoutMs: number;
  readonly runs: ReadonlyArray<LatencyRun>;
  readonly levels: ReadonlyArray<LatencyLevel>;
}

// ── 4. HTTP submission ───────────────────────────────────────────────────────────────────

export interface HttpRun {
  readonly endpoint: 'single' | 'bulk';
  readonly repeat: number;
  readonly requestsPerSecond: number;
  readonly tasksPerSecond: number;
  readonly latencyP50Ms: number;
  readonly latencyP99Ms: number;
  /** Answers other than 202, connection errors and time-outs. */
  readonly errors: number;
}

export interface HttpResult {
  readonly seconds: number;
  readonly singleConnections: number;
  readonly bulkConnections: number;
  readonly bulkTasksPerRequest: number;
  readonly runs: ReadonlyArray<HttpRun>;
  readonly singleRequestsPerSecond: Spread;
  readonly bulkTasksPerSecond: Spread;
  readonly errors: number;
}

// ── 5. memory ─────────────────────────────────────────────────────────────────────────────

export interface MemoryRun {
  readonly tasks: number;
  readonly repeat: number;
  /** Peak resident set (VmHWM) of the api, which accepted every task, in MB. */
  readonly apiPeakMb: number;
  /** Peak resident set of each worker, which drained them, in MB. */
  readonly workerPeaksMb: ReadonlyArray<number>;
  readonly submitSeconds: number;
  readonly drainSeconds: number;
}

export interface MemoryLevel {
  readonly tasks: number;
  readonly apiPeakMb: Spread;
  /** Of the highest worker peak of each run. */
  readonly workerPeakMb: Spread;
}

export interface MemoryResult {
  readonly workers: number;
  readonly runs: ReadonlyArray<MemoryRun>;
  readonly levels: ReadonlyArray<MemoryLevel>;
}

// ── 6. task types: the hold budget ───────────────────────────────────────────────────────

/** The tasks all of one task type, or spread over twenty. */
export type TaskTypesVariant = 'one' | 'many';

export interface TaskTypesRun {
  readonly variant: TaskTypesVariant;
  readonly types: number;
  readonly repeat: number;
  readonly tasks: number;
  /**
   * Tasks committed per second under sustained load: from the moment the worker may take the
   * queued tasks to the last task taken from the queue (`max(started_at)`), counting the rows
   * committed by then.
   */
  readonly tasksPerSecond: number;
  /** Every task over the whole run, the run-out's last partial groups included. */
  readonly endToEndTasksPerSecond: number;
  /** Groups released up to the last task taken. */
  readonly groupsUnderLoad: number;
  /** Of those, released by timeout: the target is none. */
  readonly timeoutsUnderLoad: number;
  /** Tasks per committed group, over the whole run. */
  readonly meanGroupSize: number;
  /** Committed groups of the whole run by what released them. */
  readonly flushes: Readonly<Record<FlushTrigger, number>>;
}

export interface TaskTypesResult {
  readonly tasks: number;
  /** Task types of the "many" run. */
  readonly types: number;
  readonly runs: ReadonlyArray<TaskTypesRun>;
  readonly oneTasksPerSecond: Spread;
  readonly manyTasksPerSecond: Spread;
  /** Many types over one, one ratio per repeat (both runs of a repeat ran back to back). */
  readonly manyVsOne: Spread;
  readonly manyMeanGroupSize: Spread;
  /** The most groups any run released by timeout under sustained load. */
  readonly timeoutsUnderLoad: number;
}

// ── 7. bulk submissions (issue 15) ──────────────────────────────────────────────────────

/**
 * Explicit bulk requests through the api (which makes parcels of them), committed by one Sluice
 * worker and, in the same repeat, the same tasks added by the bench as a job each (`addBulk` of
 * `tasksPerRequest`, `requestsInFlight` calls in flight) and finished by the no-op BullMQ worker:
 * BullMQ's per-job ceiling, which issue 15 wants Sluice to reach twice of.
 */
export interface BulkResult extends ConsumerFigures {
  readonly tasks: number;
  /** Tasks in each `POST /api/tasks/batch` body, and jobs in each of the no-op's `addBulk` calls. */
  readonly tasksPerRequest: number;
  /** Requests (or `addBulk` calls) kept in flight at all times. */
  readonly requestsInFlight: number;
  /** BullMQ Worker concurrency of both consumers. */
  readonly bullmqConcurrency: number;
  readonly runs: ReadonlyArray<ThroughputRun>;
  /** sluice-1 over bullmq-noop, one ratio per repeat (the two ran back to back). */
  readonly sluiceVsNoop: Spread;
}

// ── the whole run ────────────────────────────────────────────────────────────────────────

export interface BenchResults {
  readonly benchmark: 'sluice';
  /** ISO time the run started. */
  readonly at: string;
  readonly durationSeconds: number;
  readonly machine: MachineInfo;
  readonly postgres: { readonly fsync: string; readonly synchronousCommit: string; readonly durable: boolean };
  /** The options and the environment of the api and the workers. */
  readonly settings: Readonly<Record<string, unknown>>;
  readonly commit?: CommitCostResult;
  readonly throughput?: ThroughputResult;
  readonly latency?: LatencyResult;
  readonly http?: HttpResult;
  readonly memory?: MemoryResult;
  readonly types?: TaskTypesResult;
  readonly bulk?: BulkResult;
  /**
   * Cores kept busy during each scenario by processes that are not the bench's (someone else's
   * load on the machine): above about 0.1 the figures of that scenario are disturbed.
   */
  readonly foreignLoad: Readonly<Partial<Record<ScenarioName, number>>>;
  /** Scenarios that could not be completed, with the error that stopped them. */
  readonly failures: Readonly<Partial<Record<ScenarioName, string>>>;
  readonly checks: ReadonlyArray<Check>;
}
