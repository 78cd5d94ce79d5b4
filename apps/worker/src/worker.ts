import { createBatchWorker, type BatchWorker } from '@sluice/batching';
import type { Config } from '@sluice/config';
import type { Store } from '@sluice/store';
import { createGroupGauges, zeroWorkerSeries, type Logger, type Metrics } from '@sluice/telemetry';
import {
  batcherKey,
  EXTRA_TASKS_KEY,
  isCluster,
  parcelBatcherKey,
  parseBatcherKey,
  shardOf,
  shardQueueNames,
  tasksIn,
  type Catalog,
  type Json,
  type QueuedJobData,
  type RedisClient,
} from '@sluice/tasks';
import { Queue, UnrecoverableError } from 'bullmq';
import { createCommitGate, type CommitGate } from './commit-gate.js';
import { createGroupProcessor } from './group-processor.js';
import { createOutageBackoff } from './outage-backoff.js';
import type { PartitionCoverage } from './partition-maintainer.js';

export interface WorkerDeps {
  readonly config: Pick<
    Config,
    'queueName' | 'shards' | 'batch' | 'workerId' | 'recovery' | 'shutdownGraceMs' | 'redisBounds' | 'partitions'
  >;
  /** A connection with `maxRetriesPerRequest: null`, as BullMQ workers require: to a Redis or a Redis Cluster. */
  readonly connection: RedisClient;
  readonly catalog: Catalog;
  readonly store: Pick<Store, 'commitGroup' | 'findTasks' | 'ping'>;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /**
   * The `tasks` partitions (a PartitionMaintainer): a task whose partition is gone ends as
   * expired. Default: every task is taken as having one.
   */
  readonly partitions?: PartitionCoverage;
  /** Test-only fault injection, run right after each commit (see FAULT_INJECTION). */
  readonly afterCommit?: () => void;
  /** `false`: take no job until `worker.run()` is called (the sink tables are not there yet). Default `true`. */
  readonly autorun?: boolean;
}

/** The most of the shutdown grace kept for committing what aborted handlers answer. */
const COMMIT_RESERVE_MS = 5_000;

/**
 * How long after `close()` starts the handlers' signal aborts: the grace, less a reserve (a
 * fifth of it, at most 5 s) for the commits of the groups whose handlers stop then. main.ts exits
 * when the whole grace is over; aborting only then would leave those groups no time to commit,
 * and their jobs would wait out their locks instead of going back to the queue at once.
 */
export const abortDelayMs = (shutdownGraceMs: number): number =>
  shutdownGraceMs - Math.min(COMMIT_RESERVE_MS, shutdownGraceMs / 5);

/**
 * A Sluice worker: a BatchWorker over the tasks queue's shards (those of `config.shards.consumed`,
 * one BullMQ Worker each) whose groups (one per task type, or per type and `groupBy` key) run
 * through the catalog's handlers and commit to the store, each with its type's `batch` size and
 * timeout when it has them. Starts consuming at once.
 *
 * @example
 * const worker = createWorker({ config, connection, catalog, store, logger, metrics });
 * // flushes open groups and waits for their commits; handlers still running when the shutdown
 * // grace is nearly over see their signal abort
 * await worker.close();
 */
export const createWorker = (deps: WorkerDeps): BatchWorker<QueuedJobData, Json> => {
  const { config, metrics, logger } = deps;
  // Filled in once the BatchWorker exists: the gate pauses and resumes it.
  let gate: CommitGate | undefined;
  // Aborted when the shutdown grace is running out: every handler gets its signal.
  const shutdown = new AbortController();
  const names = shardQueueNames({
    queueName: config.queueName,
    shards: config.shards.count,
    cluster: isCluster(deps.connection),
  });
  // Retry parcels go back on the shard of their id, which is their parcel's (see shardOf), over
  // the worker's connection. Each queue writes the events stream's bound into its settings, as
  // the api's do.
  const queues = new Map<number, Queue<QueuedJobData, Json, string>>();
  const queueOfShard = (shard: number): Queue<QueuedJobData, Json, string> => {
    let queue = queues.get(shard);
    if (queue === undefined) {
      queue = new Queue<QueuedJobData, Json, string>(names[shard] ?? config.queueName, {
        connection: deps.connection,
        streams: { events: { maxLen: config.redisBounds.eventsMaxLen } },
      });
      queue.on('error', (error: Error) => logger.error('queue error', { error: error.message }));
      queues.set(shard, queue);
    }
    return queue;
  };
  const processGroup = createGroupProcessor({
    catalog: deps.catalog,
    store: deps.store,
    workerId: config.workerId,
    metrics,
    logger,
    // Capped low: while the database is down the commit gate stops intake, so the delay only has
    // to space out the first retries; a long one would hold tasks back well after it returns.
    outageBackoff: createOutageBackoff({ baseMs: config.batch.backoffDelayMs, maxMs: 5_000 }),
    onCommitUnavailable: (error) => gate?.reportUnavailable(error),
    signal: shutdown.signal,
    // Not counted among the waiting tasks of QUEUE_HIGH_WATER: a retry parcel waits out its
    // backoff delayed, as a retried single task does, and delayed jobs are not counted.
    addJob: async ({ name, data, opts }) => {
      await queueOfShard(shardOf(opts.jobId ?? '', names.length)).add(name, data, opts);
    },
    ...(deps.partitions === undefined
      ? {}
      : { partitions: { coverage: deps.partitions, retentionSeconds: config.partitions.retentionSeconds } }),
    ...(deps.afterCommit ? { afterCommit: deps.afterCommit } : {}),
  });
  const { catalog } = deps;
  // The hold budget grows with the keys in use, each at its type's own size; its ceiling must
  // still let the largest type's groups fill while others are processed, as it does for
  // BATCH_SIZE, or that type's groups would always leave under pressure, never full.
  const largestSize = Math.max(config.batch.size, ...catalog.names.map((name) => catalog.get(name)?.batch?.size ?? 0));
  const worker = createBatchWorker<QueuedJobData, Json>({
    queueName: config.shards.consumed.map((shard) => names[shard] ?? config.queueName),
    connection: deps.connection,
    size: config.batch.size,
    timeoutMs: config.batch.timeoutMs,
    concurrency: config.batch.concurrency,
    // A parcel's tasks share the key the api found for them; a single task's is found here.
    keyOf: (job) => {
      const data = job.data as Partial<{ payload: unknown; tasks: unknown; key: unknown }> | undefined;
      if (data?.tasks === undefined) return batcherKey(catalog, job.name, data?.payload);
      return parcelBatcherKey(catalog, job.name, typeof data.key === 'string' ? data.key : undefined);
    },
    weightOf: (job) => tasksIn(job.data),
    limitsOf: (key) => catalog.get(parseBatcherKey(catalog, key).taskType)?.batch ?? {},
    maxHeld: config.batch.maxHeld ?? 10 * largestSize * (config.batch.concurrency + 1),
    processGroup,
    workerOptions: {
      autorun: deps.autorun ?? true,
      // A crashed worker's held jobs return after about lockDuration + stalledInterval. Locks of
      // held jobs are renewed every lockDuration / 2, so the lock only has to outlast an event-loop
      // stall, not a group's timeout. A job is failed for good only after maxStalledCount crashes
      // while it was held: commits are idempotent, so a re-run is safe, but a job that kills its
      // worker every time must not loop forever.
      lockDuration: config.recovery.lockDurationMs,
      stalledInterval: config.recovery.stalledIntervalMs,
      maxStalledCount: config.recovery.maxStalledCount,
    },
  });
  // Group sizes and flushes by trigger are counted by the api, from the committed batch rows of
  // the whole fleet (createCommittedGroupMetrics): counted here too, every group would count twice.
  createGroupGauges(metrics.registry, () => worker.snapshot);
  zeroWorkerSeries(metrics, deps.catalog.names);
  gate = createCommitGate({
    pause: async () => {
      await Promise.all(worker.workers.map((shard) => shard.pause(true)));
    },
    resume: () => {
      for (const shard of worker.workers) shard.resume();
    },
    probe: () => deps.store.ping(),
    logger,
  });
  const close = worker.close.bind(worker);
  /** Logs, and counts parcels out of the waiting tasks, for the Worker of one shard. */
  const watch = (shard: (typeof worker.workers)[number]): void => {
    shard.on('error', (error: Error) => logger.error('worker error', { error: error.message, stack: error.stack }));
    shard.on('failed', (job, error) => {
      // As BullMQ decides it (Job.shouldRetryJob): a job goes to the failed set for good on its
      // last attempt, or on any attempt with an UnrecoverableError (a permanent failure, a
      // rejected row, a job that is not a task). `failed` fires for a retried attempt too.
      if (!job) return;
      const unrecoverable = error instanceof UnrecoverableError || error.name === 'UnrecoverableError';
      const exhausted = job.attemptsMade >= (job.opts.attempts ?? 1);
      const tasks = tasksIn(job.data);
      // A parcel's tasks that fail for good are logged one by one as their group settles; only a
      // parcel BullMQ gave up on whole (its last attempt failed) is logged here. A parcel may hold
      // one task (a keyed request's class of one), whose id is not the job's.
      const parcel = Array.isArray((job.data as { tasks?: unknown } | undefined)?.tasks);
      if (!parcel && (unrecoverable || exhausted)) {
        logger.warn('task failed for good', {
          taskId: job.id,
          taskType: job.name,
          attempts: job.attemptsMade,
          error: error.message,
        });
      } else if (parcel && exhausted && !unrecoverable) {
        logger.warn('parcel failed for good', {
          parcelId: job.id,
          taskType: job.name,
          tasks,
          attempts: job.attemptsMade,
          error: error.message,
        });
      }
    });
    // A parcel the api made, taken for the first time, no longer waits: its tasks beyond its one
    // job leave the count QUEUE_HIGH_WATER reads (see EXTRA_TASKS_KEY), where the api put them. A
    // parcel back after a stall or a retry was taken off before; a retry parcel never went in.
    shard.on('active', (job) => {
      const tasks = tasksIn(job.data);
      const fromApi = (job.data as { attempt?: unknown }).attempt === undefined;
      if (tasks > 1 && fromApi && job.attemptsMade === 0 && !job.stalledCounter) {
        // The counter of the job's own shard: `<prefix>:<queue>:` + EXTRA_TASKS_KEY, as queue.toKey makes it.
        deps.connection
          .decrby(`${job.queueQualifiedName}:${EXTRA_TASKS_KEY}`, tasks - 1)
          .catch((error: unknown) =>
            logger.warn('could not count a parcel out of the waiting tasks', { error: String(error) }),
          );
      }
    });
  };
  for (const shard of worker.workers) watch(shard);
  return {
    worker: worker.worker,
    workers: worker.workers,
    get snapshot() {
      return worker.snapshot;
    },
    close: async () => {
      gate?.dispose();
      const deadline = setTimeout(() => {
        logger.warn('shutdown grace running out: aborting the handlers still running', {
          graceMs: config.shutdownGraceMs,
        });
        shutdown.abort(new Error(`the worker is stopping and its ${config.shutdownGraceMs} ms grace is running out`));
      }, abortDelayMs(config.shutdownGraceMs));
      // A timer must not keep a process alive that has nothing else left to do.
      deadline.unref();
      try {
        await close();
      } finally {
        clearTimeout(deadline);
        await Promise.all([...queues.values()].map((queue) => queue.close()));
      }
    },
  };
};
