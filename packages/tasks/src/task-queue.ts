import { Queue } from 'bullmq';
import { bulkJobs, keyedBulkJobs, singleJob, type BulkJobs, type NewJob } from './bulk-jobs.js';
import { findQueuedTasks, type QueuedTask } from './queued-tasks.js';
import type { Catalog } from './catalog.js';
import type { QueuedJobData } from './job-data.js';
import type { KeyedParcelIds } from './keyed-parcels.js';
import { parcelSizeOf } from './parcel-plan.js';
import { OutcomeUnknownError } from './enqueue-errors.js';
import { EXTRA_TASKS_KEY, jobOptions, type FailedJobsBound, type RetrySettings } from './queue-contract.js';
import { isCluster, pingAll, type RedisClient } from './redis-client.js';
import { shardOf } from './shard-of.js';
import { shardQueueNames } from './shard-names.js';
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
  /** Tasks waiting in every shard, as QUEUE_HIGH_WATER counts them: see waitingTasks. */
  waitingTasks(): Promise<number>;
  /** Jobs by state, summed over the shards. */
  counts(): Promise<Readonly<Record<string, number>>>;
  /** Jobs by state in each shard, in the order of `queues`. */
  shardCounts(): Promise<ReadonlyArray<Readonly<Record<string, number>>>>;
  /** Pings Redis: every primary of a cluster. */
  ping(): Promise<void>;
  /** One queue per shard (QUEUE_SHARDS), numbered from 0: see shardQueueNames. */
  readonly queues: ReadonlyArray<Queue<QueuedJobData, unknown, string>>;
  close(): Promise<void>;
}

/** The states the counts report, as Bull Board and the queue gauge name them. */
const COUNTED_STATES = ['waiting', 'active', 'delayed', 'completed', 'failed', 'prioritized'] as const;

/** Jobs grouped by the shard their id routes them to. */
const byShard = <Job extends NewJob<unknown>>(jobs: ReadonlyArray<Job>, shards: number): ReadonlyMap<number, Job[]> => {
  const groups = new Map<number, Job[]>();
  for (const job of jobs) {
    const shard = shardOf(job.opts.jobId, shards);
    const group = groups.get(shard);
    if (group === undefined) groups.set(shard, [job]);
    else group.push(job);
  }
  return groups;
};

/** Tasks a job carries beyond itself: a parcel's tasks − 1, else 0. */
const extraTasksOf = (job: NewJob<unknown>): number => {
  const tasks = (job.data as { tasks?: unknown }).tasks;
  return Array.isArray(tasks) ? tasks.length - 1 : 0;
};

/**
 * The submitting side of the tasks queue: the api's, and createEnqueuer's. The connection should
 * have `enableOfflineQueue: false`, so that a command fails at once while Redis is down instead of
 * waiting: the api then answers 503 and never a 202 it could not keep.
 */
export const createTaskQueue = (
  connection: RedisClient,
  options: {
    readonly queueName: string;
    /**
     * Queues the tasks spread over (QUEUE_SHARDS), each task to the one a hash of its id picks
     * (shardOf); their names come from shardQueueNames. Default 1.
     */
    readonly shards?: number;
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
  const names = shardQueueNames({
    queueName: options.queueName,
    shards: options.shards ?? 1,
    cluster: isCluster(connection),
  });
  const queues = names.map(
    (name) =>
      new Queue<QueuedJobData, unknown, string>(
        name,
        options.eventsMaxLen === undefined
          ? { connection, skipMetasUpdate: true }
          : { connection, streams: { events: { maxLen: options.eventsMaxLen } } },
      ),
  );
  const queueOf = (id: string) => queues[shardOf(id, queues.length)] as (typeof queues)[number];
  const onError = options.onError ?? (() => undefined);
  for (const queue of queues) queue.on('error', onError);
  const defaults = jobOptions(options.retry, options.failedJobs);
  // The sizes a keyed request's classes are cut at: a keyed task leads to its parcel by its size.
  const parcelSizes = [
    ...new Set(options.catalog.names.map((name) => parcelSizeOf(options.catalog, name, options.defaultBatchSize))),
  ];
  /** Each shard is asked for the ids its jobs would hold, all at once; the answers keep `ids`' order. */
  const findMany = async (ids: ReadonlyArray<string>): Promise<ReadonlyArray<QueuedTask>> => {
    const find = (queue: (typeof queues)[number], shardIds: ReadonlyArray<string>) =>
      findQueuedTasks(connection, queue, shardIds, options.retry.maxRetries, parcelSizes);
    if (queues.length === 1) return find(queues[0] as (typeof queues)[number], ids);
    const asked = new Map<(typeof queues)[number], string[]>();
    for (const id of new Set(ids)) {
      const queue = queueOf(id);
      const shardIds = asked.get(queue);
      if (shardIds === undefined) asked.set(queue, [id]);
      else shardIds.push(id);
    }
    const found = new Map<string, QueuedTask>();
    const answers = await Promise.all([...asked].map(([queue, shardIds]) => find(queue, shardIds)));
    for (const task of answers.flat()) found.set(task.id, task);
    return [...new Set(ids)].flatMap((id) => {
      const task = found.get(id);
      return task === undefined ? [] : [task];
    });
  };
  /**
   * Adds one shard's jobs in one addBulk (one MULTI: all or none), then counts its parcels' extra
   * tasks for QUEUE_HIGH_WATER.
   */
  const addToShard = async (queue: (typeof queues)[number], jobs: ReadonlyArray<BulkJobs['jobs'][number]>) => {
    await queue.addBulk([...jobs]);
    const extraTasks = jobs.reduce((sum, job) => sum + extraTasksOf(job), 0);
    if (extraTasks > 0) {
      // The jobs are stored whatever happens here, so a failure must not turn into an answer
      // that says nothing was: it leaves the count low until the waiting list next empties.
      await connection.incrby(queue.toKey(EXTRA_TASKS_KEY), extraTasks).catch((error: unknown) => {
        onError(new Error('parcels enqueued but not counted for QUEUE_HIGH_WATER', { cause: error }));
      });
    }
  };
  /**
   * Adds a request's jobs, each on its shard. One shard's jobs go in together or not at all, and
   * an unkeyed request's are all on one shard (see bulkJobs). A keyed request's ids come from its
   * key, so its parcels may sit on several shards and be cut short between them; then neither
   * "nothing was stored" nor "all was" is true: that is an outcome-unknown, which a re-send with
   * the same Idempotency-Key settles.
   */
  const addJobs = async (bulk: BulkJobs): Promise<void> => {
    const shards = [...byShard(bulk.jobs, queues.length)];
    const settled = await Promise.allSettled(
      shards.map(([shard, jobs]) => addToShard(queues[shard] as (typeof queues)[number], jobs)),
    );
    const failed = settled.find((outcome) => outcome.status === 'rejected');
    if (failed === undefined) return;
    if (settled.some((outcome) => outcome.status === 'fulfilled')) {
      throw new OutcomeUnknownError('enqueue', failed.reason);
    }
    throw failed.reason;
  };
  const sum = (counts: ReadonlyArray<Readonly<Record<string, number>>>): Readonly<Record<string, number>> =>
    Object.fromEntries(
      COUNTED_STATES.map((state) => [state, counts.reduce((total, shard) => total + (shard[state] ?? 0), 0)]),
    );
  const shardCounts = () => Promise.all(queues.map((queue) => queue.getJobCounts(...COUNTED_STATES)));
  return {
    queues,
    enqueue: async (submissions, submittedAt, id) => {
      const [first] = submissions;
      // One task (every POST /api/tasks) goes in with add, one script call: addBulk wraps even a
      // single job in a pipeline, which cost the api about 3× the CPU per request.
      if (submissions.length === 1 && first !== undefined) {
        const job = singleJob(first, id ?? newId(submittedAt), submittedAt, defaults);
        await queueOf(job.opts.jobId).add(job.name, job.data, job.opts);
        return [job.opts.jobId];
      }
      if (id !== undefined) throw new RangeError(`an id names one submission, not ${submissions.length}`);
      // One shard, drawn at random, takes the whole request: one addBulk, all or none.
      const bulk = bulkJobs(options.catalog, submissions, {
        submittedAt,
        defaultBatchSize: options.defaultBatchSize,
        opts: defaults,
        shard: { index: Math.floor(Math.random() * queues.length), of: queues.length },
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
    waitingTasks: async () => {
      const waiting = await Promise.all(queues.map((queue) => waitingTasks(connection, queue)));
      return waiting.reduce((total, shard) => total + shard, 0);
    },
    counts: async () => sum(await shardCounts()),
    shardCounts,
    ping: () => pingAll(connection),
    close: async () => {
      await Promise.all(queues.map((queue) => queue.close()));
    },
  };
};
