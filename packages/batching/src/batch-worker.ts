/*
 * The BullMQ adapter: a plain BullMQ Worker whose processor hands each job to a batcher and
 * returns that job's own promise. A job therefore stays active in BullMQ (its lock renewed by the
 * worker's lock manager) while its group fills and is processed, and completes or fails only once
 * `processGroup` has answered for it. A crashed process's held jobs come back through BullMQ's
 * stalled-job check.
 *
 * States of a BatchWorker:
 *
 *   running ──close()──▶ closing ──▶ closed
 *
 * - running: BullMQ fetches jobs (unless `autorun: false` and `worker.run()` was not called).
 * - closing: no new fetches; open groups released with trigger `shutdown`; a job already in
 *   flight from Redis is still processed, released on the next tick. `close()` is pending.
 * - closed: every held job has completed or failed and BullMQ's connections are closed.
 *
 * Several queues (the shards of one queue, see `queueName`) are consumed by one BullMQ Worker
 * each, all feeding the one batcher: a group may hold jobs of several queues, and each job is
 * settled by the Worker that fetched it, on its own queue.
 *
 * A job may carry many tasks (a parcel of one key; `weightOf`, default 1), and the batcher counts
 * tasks: a group is full when its jobs' tasks reach `size`.
 *
 * The hold budget, in tasks: it starts at size × (concurrency + 1) and follows the keys in use up
 * to `maxHeld`, the batcher announcing each new budget as a group settles (see batcher.ts). When
 * even `maxHeld` cannot let every open group fill, the batcher releases the fullest under
 * pressure rather than let every group wait out its timeout. BullMQ hands the processor at most
 * its concurrency of jobs, each held until its group settles, but that concurrency counts jobs:
 * it is set to the budget divided by the mean weight of the jobs received lately, as the budget
 * changes and as jobs arrive (see job-concurrency.ts). With one task per job it is the budget.
 */
import { Worker, type ConnectionOptions, type Job, type WorkerOptions } from 'bullmq';
import {
  createBatcher,
  type BatcherObserver,
  type BatcherSnapshot,
  type Group,
  type GroupLimits,
  type Outcome,
  checkWeight,
} from './batcher.js';
import { InvalidOptionError } from './invalid-option-error.js';
import { createJobConcurrency } from './job-concurrency.js';
import { LockLostError } from './lock-lost-error.js';
import { OutcomeCountError } from './outcome-count-error.js';

/** BullMQ Worker options a caller may override; the connection has its own field. */
export type WorkerOverrides = Omit<WorkerOptions, 'connection'>;

export interface BatchWorkerOptions<DataType, ResultType> {
  /**
   * The BullMQ queue to consume, or several (the shards of one queue): one BullMQ Worker each,
   * sharing this worker's groups and hold budget. Required.
   */
  readonly queueName: string | ReadonlyArray<string>;
  /**
   * Redis for BullMQ: an ioredis instance or ioredis options (`{ url }`, `{ host, port }`, …).
   * Required. An instance must have `maxRetriesPerRequest: null` (BullMQ throws otherwise, as its
   * blocking fetch must not give up) and stays yours to close; with options, BullMQ sets that
   * itself and closes the connections it opened in `close()`.
   */
  readonly connection: ConnectionOptions;
  /**
   * Tasks per group: the job whose tasks (`weightOf`) bring its key's group to `size` releases it
   * (trigger `size`); with one task per job, the `size`-th job. Default 100.
   */
  readonly size?: number;
  /** Longest wait in ms of a group's first job before release (trigger `timeout`). Default 3000. */
  readonly timeoutMs?: number;
  /**
   * Groups processed at once by this worker; released groups beyond it wait in FIFO order (their
   * jobs stay active and locked). Default 4.
   */
  readonly concurrency?: number;
  /** The group key of a job: jobs of one key share groups. Default: the job's name. */
  readonly keyOf?: (job: Job<DataType, ResultType>) => string;
  /**
   * How many tasks a job carries (a parcel of tasks of one key): an integer ≥ 1, read once as the
   * job arrives. The batcher counts tasks, so a group never holds more than `size` tasks, except
   * a single job that carries `size` or more, which is a group of its own. A throw, or an answer
   * that is not an integer ≥ 1 (an `InvalidOptionError` naming `weightOf`), fails that job alone.
   * Default: 1 for every job.
   */
  readonly weightOf?: (job: Job<DataType, ResultType>) => number;
  /**
   * A key's own group size and timeout (`{ size?, timeoutMs? }`, read when a group of it opens);
   * a field left out takes `size` or `timeoutMs`. An answer out of range fails that job with an
   * `InvalidOptionError`. The hold budget counts each key in use at its own size (in tasks).
   * Default: `size` and `timeoutMs` for every key.
   */
  readonly limitsOf?: (key: string) => GroupLimits;
  /**
   * The most tasks held at once, however many keys are in use, plus at most one fetch round of
   * jobs when the mix of parcel sizes changes (BullMQ's concurrency follows the mean weight of
   * the jobs already received): the hold budget grows from where it starts up to this as keys
   * come into use (one full group of each, plus `concurrency` groups in flight), and no further;
   * beyond it, groups leave under pressure. Bounds memory, lock renewals and what a crash hands
   * back. An integer ≥ 1; below the starting budget it lowers that too, a fixed budget. Default:
   * 10 × size × (concurrency + 1), or `workerOptions.concurrency` when that is larger.
   */
  readonly maxHeld?: number;
  /**
   * Processes a released group and answers one outcome per job, in the group's order. A job with
   * `{ ok: true, value }` completes with `value` as its return value. A job with `{ ok: false,
   * error }` fails with `error`, so BullMQ applies the job's `attempts` and `backoff` (an
   * `UnrecoverableError` from bullmq skips the remaining attempts). A throw or rejection fails
   * every job of the group with that error. A job whose lock BullMQ could not renew while it
   * was held is left out of the group it was in: this worker can no longer settle it, and it
   * runs again on the worker that gets it next (see `LockLostError`). Required.
   */
  readonly processGroup: (group: Group<Job<DataType, ResultType>>) => Promise<ReadonlyArray<Outcome<ResultType>>>;
  /** Hooks for metrics and logs, passed to the batcher unchanged. Default: none. */
  readonly observer?: BatcherObserver<Job<DataType, ResultType>>;
  /**
   * BullMQ Worker options, applied over the defaults below (e.g. `prefix`, `lockDuration`,
   * `stalledInterval`, `maxStalledCount`, `autorun`, `removeOnComplete: { count }`).
   * Defaults: `concurrency` = size × (concurrency + 1), where the hold budget starts, in tasks
   * (BullMQ's concurrency is then the budget over the jobs' mean weight, the budget following
   * the keys in use up to `maxHeld`, which a larger value here raises by default); `lockDuration`
   * = max(30 000, 4 × timeoutMs) ms; everything else as BullMQ has it. `removeOnComplete` and
   * `removeOnFail` must be `{ count }` or `{ age }` here: BullMQ 6.7.0 fails every completion
   * when the Worker gets `true`.
   */
  readonly workerOptions?: WorkerOverrides;
}

/** A running BatchWorker. */
export interface BatchWorker<DataType, ResultType> {
  /**
   * The underlying BullMQ worker, for its events (`completed`, `failed`, `error`, …). Listen to
   * `error`: BullMQ emits connection errors there, and an EventEmitter with no `error` listener
   * throws them. With several queues, the first queue's: listen on `workers`.
   */
  readonly worker: Worker<DataType, ResultType>;
  /** One BullMQ worker per queue, in the order of `queueName`. */
  readonly workers: ReadonlyArray<Worker<DataType, ResultType>>;
  /** The batcher's counts (open groups, held tasks, groups processing and waiting), for gauges. */
  readonly snapshot: BatcherSnapshot;
  /**
   * Stops fetching jobs, releases every open group (trigger `shutdown`), waits for every group to
   * be processed and its jobs settled, then closes BullMQ's connections. No job of this worker
   * is left active. Calling it again returns the same promise. Installs no signal handlers: the
   * app's `main.ts` calls it on SIGTERM.
   */
  close(): Promise<void>;
}

/** The defaults of the batching fields, as docs/configuration.md and @sluice/config document them. */
export const batchWorkerDefaults = Object.freeze({ size: 100, timeoutMs: 3_000, concurrency: 4 });

/**
 * Lock lifetime of a held job. BullMQ's lock manager renews the lock of every active job every
 * lockDuration / 2 (its `lockRenewTime`), and a held job stays active through its group's wait,
 * its handler and its commit, so the lock has to cover none of them. It only has to outlast an
 * event-loop stall (a long synchronous handler, a GC pause), during which no renewal can run: a
 * stall longer than about lockDuration / 2 may let it expire, another worker's stalled check then
 * hands the job out again, and it runs twice (see `LockLostError`). BullMQ's own 30 s default, or
 * four timeouts when that is longer: a margin kept from before, not something a group's wait
 * needs. The price of a long lock is recovery time after a crash (about lockDuration +
 * stalledInterval).
 */
const defaultLockDuration = (timeoutMs: number): number => Math.max(30_000, 4 * timeoutMs);

/** BullMQ 6.7.0 indexes the Worker's keep-jobs option as a table; `true` or a number breaks it. */
const checkKeepJobs = (option: 'removeOnComplete' | 'removeOnFail', value: unknown): void => {
  if (value !== undefined && (typeof value !== 'object' || value === null)) {
    throw new InvalidOptionError(
      `workerOptions.${option}`,
      '{ count: n } or { age: seconds } (BullMQ 6.7.0 fails every job finish when the Worker gets true or a number; set that per job instead)',
      value,
    );
  }
};

/**
 * Creates a BullMQ worker that processes jobs in groups: up to `size` jobs of one key, released
 * when full, when the first has waited `timeoutMs`, or on `close()`. Each job completes or fails
 * with its own outcome, so retries and backoff stay per job. The worker starts fetching at once
 * unless `workerOptions.autorun` is `false`.
 *
 * @example
 * const batchWorker = createBatchWorker<{ to: string }, string>({
 *   queueName: 'tasks',
 *   connection: { url: 'redis://127.0.0.1:6379' },
 *   processGroup: async (group) => {
 *     const ids = await sendAll(group.key, group.items.map((job) => job.data));
 *     return ids.map((id) => ({ ok: true, value: id }));
 *   },
 * });
 * batchWorker.worker.on('error', (error) => logger.error('bullmq', { error }));
 * process.once('SIGTERM', () => void batchWorker.close()); // in the app's main.ts, not a library
 */
export const createBatchWorker = <DataType, ResultType>(
  options: BatchWorkerOptions<DataType, ResultType>,
): BatchWorker<DataType, ResultType> => {
  const {
    queueName,
    connection,
    size = batchWorkerDefaults.size,
    timeoutMs = batchWorkerDefaults.timeoutMs,
    concurrency = batchWorkerDefaults.concurrency,
    keyOf = (job: Job<DataType, ResultType>) => job.name,
    weightOf = () => 1,
    limitsOf,
    processGroup,
    observer,
    workerOptions = {},
  } = options;
  const queueNames: ReadonlyArray<unknown> = Array.isArray(queueName) ? queueName : [queueName];
  if (
    queueNames.length === 0 ||
    !queueNames.every((name) => typeof name === 'string' && name !== '') ||
    new Set(queueNames).size !== queueNames.length
  ) {
    throw new InvalidOptionError('queueName', 'a non-empty string or a list of distinct ones', queueName);
  }
  if (connection === undefined || connection === null) {
    throw new InvalidOptionError('connection', 'an ioredis instance or options', connection);
  }
  if (typeof keyOf !== 'function') throw new InvalidOptionError('keyOf', 'a function', keyOf);
  if (typeof weightOf !== 'function') throw new InvalidOptionError('weightOf', 'a function', weightOf);
  checkKeepJobs('removeOnComplete', workerOptions.removeOnComplete);
  checkKeepJobs('removeOnFail', workerOptions.removeOnFail);

  // Jobs whose lock could not be renewed (each queue's Worker keeps its held jobs by id, below).
  const lost = new WeakSet<Job<DataType, ResultType>>();
  // Each held job's tasks, for the weight of a group that leaves a lost job out.
  const weights = new WeakMap<Job<DataType, ResultType>, number>();

  /**
   * `processGroup` for the jobs of `group` this worker still holds. A job whose lock renewal
   * failed has lost its lock for good (the lock expired during an event-loop stall, or another
   * worker took the job over after a stalled check): this worker can no longer complete or fail
   * it, since BullMQ refuses both without the lock, and the job runs again wherever it goes next.
   * Running it here as well would only be a second run nobody can acknowledge, so it is left out
   * and answered with a LockLostError, which BullMQ cannot record either.
   */
  const processHeld = async (group: Group<Job<DataType, ResultType>>): Promise<ReadonlyArray<Outcome<ResultType>>> => {
    if (!group.items.some((job) => lost.has(job))) return processGroup(group);
    const kept = group.items.filter((job) => !lost.has(job));
    const weight = kept.reduce((sum, job) => sum + (weights.get(job) ?? 1), 0);
    const answers = kept.length === 0 ? [] : await processGroup({ ...group, items: kept, weight });
    if (!Array.isArray(answers) || answers.length !== kept.length) {
      throw new OutcomeCountError(group.key, kept.length, Array.isArray(answers) ? answers.length : undefined);
    }
    let next = 0;
    return group.items.map((job): Outcome<ResultType> => {
      if (lost.has(job)) return { ok: false, error: new LockLostError(job.id) };
      next += 1;
      // Passed on as processGroup gave it: the batcher rejects a missing outcome itself.
      return answers[next - 1] as Outcome<ResultType>;
    });
  };

  // Built before the Worker so a bad size/timeoutMs/concurrency/processGroup throws (naming the
  // field) before any connection opens.
  if (typeof processGroup !== 'function') throw new InvalidOptionError('processGroup', 'a function', processGroup);
  // Enough tasks held to fill one more group while `concurrency` groups are processed; with only
  // `size`, a group could fill only after the previous one committed. `workerOptions.concurrency`
  // asks for another start: BullMQ's concurrency with one task per job, as it always was.
  const askedBudget = workerOptions.concurrency ?? size * (concurrency + 1);
  if (workerOptions.concurrency !== undefined && !(Number.isInteger(askedBudget) && askedBudget >= 1)) {
    throw new InvalidOptionError('workerOptions.concurrency', 'an integer ≥ 1', workerOptions.concurrency);
  }
  if (options.maxHeld !== undefined && !(Number.isInteger(options.maxHeld) && options.maxHeld >= 1)) {
    throw new InvalidOptionError('maxHeld', 'an integer ≥ 1', options.maxHeld);
  }
  // A bad size or concurrency makes this NaN; the batcher names that field first.
  const maxHeld = options.maxHeld ?? Math.max(10 * size * (concurrency + 1), askedBudget);
  const startingBudget = Math.min(askedBudget, maxHeld);
  const jobConcurrency = createJobConcurrency(startingBudget);
  // Set once the Workers exist; the batcher announces a budget only as a group settles, later.
  let setConcurrency = (_jobs: number): void => undefined;
  // Each queue's Worker fetches its share of the jobs the budget allows, rounded up so that none
  // stops: the shards of one queue are filled alike by hashing, so equal shares keep the hold
  // within a job per queue of the budget.
  const shareOf = (jobs: number): number => Math.max(1, Math.ceil(jobs / queueNames.length));
  const batcher = createBatcher<Job<DataType, ResultType>, ResultType>({
    size,
    timeoutMs,
    concurrency,
    // BullMQ holds no more jobs than its concurrency, about this many tasks: at that many, no
    // open group can grow.
    capacity: startingBudget,
    maxCapacity: maxHeld,
    // BullMQ reads its concurrency before each fetch; it is waiting for a job to finish when
    // this runs, and the group settling now finishes some.
    onCapacity: (budget) => setConcurrency(jobConcurrency.budget(budget)),
    ...(limitsOf === undefined ? {} : { limitsOf }),
    process: processHeld,
    ...(observer === undefined ? {} : { observer }),
  });

  const createWorker = (name: string): Worker<DataType, ResultType> => {
    // BullMQ renews each job id with the token of the job it last handed out under that id, so
    // this keeps that one too.
    const heldHere = new Map<string, Job<DataType, ResultType>>();
    const worker = new Worker<DataType, ResultType>(
      name,
      // The job's promise is the processor's answer: a failed outcome rejects it, and BullMQ's own
      // failure path (attempts, backoff, UnrecoverableError) takes over from there.
      async (job) => {
        if (job.id !== undefined) heldHere.set(job.id, job);
        try {
          const weight = weightOf(job);
          checkWeight(weight, 'weightOf');
          weights.set(job, weight);
          // A field write: BullMQ reads it as it next decides whether to fetch.
          setConcurrency(jobConcurrency.arrived(weight));
          return await batcher.add(keyOf(job), job, weight);
        } finally {
          if (job.id !== undefined && heldHere.get(job.id) === job) heldHere.delete(job.id);
        }
      },
      {
        lockDuration: defaultLockDuration(timeoutMs),
        ...workerOptions,
        concurrency: shareOf(jobConcurrency.value),
        connection,
      },
    );
    // BullMQ names the jobs whose lock it could not extend (it also emits an `error` for each).
    worker.on('lockRenewalFailed', (jobIds) => {
      for (const id of jobIds) {
        const job = heldHere.get(id);
        if (job !== undefined) lost.add(job);
      }
    });
    return worker;
  };
  const workers = (queueNames as ReadonlyArray<string>).map(createWorker);

  setConcurrency = (jobs) => {
    const share = shareOf(jobs);
    for (const worker of workers) if (worker.concurrency !== share) worker.concurrency = share;
  };

  let closing: Promise<void> | undefined;
  const close = async (): Promise<void> => {
    // BullMQ's close() stops fetching at once, then waits for every active job, and our held
    // jobs would otherwise wait out their timeout. They must start first so no fetch begins after
    // the drain; both are awaited together so a rejection of either is never left unhandled.
    const workersClosed = Promise.all(workers.map((worker) => worker.close()));
    await Promise.all([batcher.drain(), workersClosed]);
  };

  return {
    worker: workers[0] as Worker<DataType, ResultType>,
    workers,
    get snapshot() {
      return batcher.snapshot;
    },
    close: () => (closing ??= close()),
  };
};
