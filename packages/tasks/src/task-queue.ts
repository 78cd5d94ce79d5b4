import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { bulkJobs, keyedBulkJobs, singleJob, type BulkJobs } from './bulk-jobs.js';
import { findQueuedTasks, type QueuedTask } from './queued-tasks.js';
import type { Catalog } from './catalog.js';
import type { QueuedJobData } from './job-data.js';
import type { KeyedParcelIds } from './keyed-parcels.js';
import { parcelSizeOf } from './parcel-plan.js';
import { EXTRA_TASKS_KEY, jobOptions, type FailedJobsBound, type RetrySettings } from './queue-contract.js';
import type { Submission } from './submission.js';
import { newId } from './task-id.js';
import { waitingTasks } from './waiting-tasks.js';

export interface TaskQueue {
  /**
   * Enqueues the submissions and returns their task ids, in the order of `submissions`. One
   * submission is one job, under `id` when given (derived from an Idempotency-Key: BullMQ adds
   * nothing for an id it already holds) or a new UUIDv7; more go in as parcels (see
   * bulk-jobs.ts), all in one `addBulk`. A keyed bulk request goes through `keyedBulk` instead.
   */
  enqueue(submissions: ReadonlyArray<Submission>, submittedAt: number, id?: string): Promise<ReadonlyArray<string>>;
  /**
   * A bulk submission sent with an Idempotency-Key: its ids, from the key and the parcels it is
   * cut into (see keyedBulkJobs), and how to enqueue the tasks at `missing` (places in it).
   */
  keyedBulk(
    submissions: ReadonlyArray<Submission>,
    key: string,
    caller: string | undefined,
  ): {
    readonly ids: KeyedParcelIds;
    enqueue(missing: ReadonlyArray<number>, submittedAt: number): Promise<void>;
  };
  /** The task with this id, alone in its job or in a parcel, as findMany shows it. */
  find(id: string): Promise<QueuedTask | undefined>;
  /**
   * The tasks among `ids` that BullMQ holds, each once; ids without one are absent. Pipelined
   * whatever the count, and no scan of the waiting list: see findQueuedTasks.
   */
  findMany(ids: ReadonlyArray<string>): Promise<ReadonlyArray<QueuedTask>>;
  /** Tasks waiting, as QUEUE_HIGH_WATER counts them: see waitingTasks. */
  waitingTasks(): Promise<number>;
  counts(): Promise<Readonly<Record<string, number>>>;
  ping(): Promise<void>;
  readonly queue: Queue<QueuedJobData, unknown, string>;
  close(): Promise<void>;
}

/**
 * The submitting side of the tasks queue: the api's, and createEnqueuer's. The connection should
 * have `enableOfflineQueue: false`, so that a command fails at once while Redis is down instead of
 * waiting: the api then answers 503 and never a 202 it could not keep.
 */
export const createTaskQueue = (
  connection: Redis,
  options: {
    readonly queueName: string;
    readonly retry: RetrySettings;
    /** The task types, whose `batch.size` bounds their parcels. */
    readonly catalog: Catalog;
    /** Tasks a parcel of a type without its own `batch.size` carries at most (BATCH_SIZE). */
    readonly defaultBatchSize: number;
    /** How long and how many failed jobs stay in Redis (FAILED_JOBS_RETENTION, FAILED_JOBS_MAX); default 7 days, 10,000. */
    readonly failedJobs?: FailedJobsBound;
    /**
     * The events stream's length (EVENTS_MAX_LEN), which this queue writes into the queue's
     * settings in Redis, as every api and worker does. Leave it out to write none and keep what
     * they set (createEnqueuer does).
     */
    readonly eventsMaxLen?: number;
    /** Connection errors BullMQ reports; requests see them as 503s, so this is for logs. */
    readonly onError?: (error: Error) => void;
  },
): TaskQueue => {
  const queue = new Queue<QueuedJobData, unknown, string>(
    options.queueName,
    options.eventsMaxLen === undefined
      ? { connection, skipMetasUpdate: true }
      : { connection, streams: { events: { maxLen: options.eventsMaxLen } } },
  );
  const onError = options.onError ?? (() => undefined);
  queue.on('error', onError);
  const defaults = jobOptions(options.retry, options.failedJobs);
  // The sizes a keyed request's classes are cut at: a keyed task leads to its parcel by its size.
  const parcelSizes = [
    ...new Set(options.catalog.names.map((name) => parcelSizeOf(options.catalog, name, options.defaultBatchSize))),
  ];
  const findMany = (ids: ReadonlyArray<string>) =>
    findQueuedTasks(connection, queue, ids, options.retry.maxRetries, parcelSizes);
  /** Adds a request's jobs in one addBulk, then counts its parcels' extra tasks for QUEUE_HIGH_WATER. */
  const addJobs = async (bulk: BulkJobs): Promise<void> => {
    await queue.addBulk([...bulk.jobs]);
    if (bulk.extraTasks > 0) {
      // The jobs are stored whatever happens here, so a failure must not turn into an answer
      // that says nothing was: it leaves the count low until the waiting list next empties.
      await connection.incrby(queue.toKey(EXTRA_TASKS_KEY), bulk.extraTasks).catch((error: unknown) => {
        onError(new Error('parcels enqueued but not counted for QUEUE_HIGH_WATER', { cause: error }));
      });
    }
  };
  return {
    queue,
    enqueue: async (submissions, submittedAt, id) => {
      const [first] = submissions;
      // One task (every POST /api/tasks) goes in with add, one script call: addBulk wraps even a
      // single job in a pipeline, which cost the api about 3× the CPU per request.
      if (submissions.length === 1 && first !== undefined) {
        const job = singleJob(first, id ?? newId(submittedAt), submittedAt, defaults);
        await queue.add(job.name, job.data, job.opts);
        return [job.opts.jobId];
      }
      if (id !== undefined) throw new RangeError(`an id names one submission, not ${submissions.length}`);
      const bulk = bulkJobs(options.catalog, submissions, {
        submittedAt,
        defaultBatchSize: options.defaultBatchSize,
        opts: defaults,
      });
      await addJobs(bulk);
      return bulk.ids;
    },
    keyedBulk: (submissions, key, caller) => {
      const keyed = keyedBulkJobs(options.catalog, submissions, {
        key,
        caller,
        defaultBatchSize: options.defaultBatchSize,
        opts: defaults,
      });
      return { ids: keyed.ids, enqueue: (missing, submittedAt) => addJobs(keyed.jobsFor(missing, submittedAt)) };
    },
    find: async (id) => (await findMany([id]))[0],
    findMany,
    waitingTasks: () => waitingTasks(connection, queue),
    counts: () => queue.getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed', 'prioritized'),
    ping: async () => {
      await connection.ping();
    },
    close: () => queue.close(),
  };
};
