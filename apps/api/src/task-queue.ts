import { Queue, type Job } from 'bullmq';
import type { ChainableCommander, Redis } from 'ioredis';
import { jobOptions, newId, type JobData, type RetrySettings, type Submission } from '@sluice/tasks';

/** How BullMQ sees a task that is not committed yet. */
export interface QueuedTask {
  readonly id: string;
  readonly taskType: string;
  readonly state: 'QUEUED' | 'ACTIVE' | 'DELAYED' | 'COMPLETED' | 'FAILED';
  readonly attempts: number;
  readonly error: string | null;
  readonly submittedAt: Date;
  readonly payload: unknown;
}

export interface TaskQueue {
  /**
   * Enqueues the submissions and returns their task ids: `ids` when given (one per submission,
   * derived from an Idempotency-Key), else new UUIDv7s. BullMQ adds nothing for an id it already
   * holds, so re-sending the same ids after a failure enqueues only what is missing.
   */
  enqueue(
    submissions: ReadonlyArray<Submission>,
    submittedAt: number,
    ids?: ReadonlyArray<string>,
  ): Promise<ReadonlyArray<string>>;
  find(id: string): Promise<QueuedTask | undefined>;
  /**
   * The jobs among `ids`, as `find` shows each; ids without a job are absent. Two pipelined
   * round trips whatever the count, and no scan of the waiting list: see the implementation.
   */
  findMany(ids: ReadonlyArray<string>): Promise<ReadonlyArray<QueuedTask>>;
  counts(): Promise<Readonly<Record<string, number>>>;
  ping(): Promise<void>;
  readonly queue: Queue;
  close(): Promise<void>;
}

/** Runs a pipeline; the first command that failed fails it all. */
const execPipeline = async (pipeline: ChainableCommander): Promise<ReadonlyArray<unknown>> => {
  const results = (await pipeline.exec()) ?? [];
  return results.map(([error, value]) => {
    if (error) throw error;
    return value;
  });
};

const STATES: Readonly<Record<string, QueuedTask['state']>> = {
  waiting: 'QUEUED',
  'waiting-children': 'QUEUED',
  prioritized: 'QUEUED',
  active: 'ACTIVE',
  delayed: 'DELAYED',
  completed: 'COMPLETED',
  failed: 'FAILED',
};

/**
 * The api's side of the tasks queue. The connection should have `enableOfflineQueue: false`, so
 * that a command fails at once while Redis is down instead of waiting: the api then answers 503
 * and never a 202 it could not keep.
 */
export const createTaskQueue = (
  connection: Redis,
  options: {
    readonly queueName: string;
    readonly retry: RetrySettings;
    /** Connection errors BullMQ reports; requests see them as 503s, so this is for logs. */
    readonly onError?: (error: Error) => void;
  },
): TaskQueue => {
  const queue = new Queue<JobData, unknown, string>(options.queueName, { connection });
  queue.on('error', options.onError ?? (() => undefined));
  const defaults = jobOptions(options.retry);
  return {
    queue,
    enqueue: async (submissions, submittedAt, ids) => {
      const jobs = submissions.map((submission, index) => {
        const id = ids?.[index] ?? newId(submittedAt);
        return {
          name: submission.taskType,
          data: { payload: submission.payload, submittedAt },
          opts: { ...defaults, jobId: id },
        };
      });
      // One task (every POST /api/tasks) goes in with add, one script call: addBulk wraps even a
      // single job in a pipeline, which cost the api about 3× the CPU per request.
      const [only] = jobs;
      if (jobs.length === 1 && only !== undefined) await queue.add(only.name, only.data, only.opts);
      else await queue.addBulk(jobs);
      return jobs.map((job) => job.opts.jobId);
    },
    find: async (id) => {
      const job: Job<JobData> | undefined = await queue.getJob(id);
      if (!job) return undefined;
      const state = STATES[await job.getState()] ?? 'QUEUED';
      return {
        id,
        taskType: job.name,
        state,
        attempts: state === 'ACTIVE' ? job.attemptsMade + 1 : job.attemptsMade,
        error: job.failedReason ? job.failedReason : null,
        submittedAt: new Date(job.data.submittedAt),
        payload: job.data.payload,
      };
    },
    findMany: async (ids) => {
      // BullMQ's getState walks the waiting list (LPOS) for a waiting job: one look is O(waiting),
      // and a 10,000-task replay made it quadratic. Here a job's hash is read for every id, then
      // only the sets a job can be in apart from waiting are asked, each O(1) or O(log n): the
      // sorted sets by score, and the short active list only for a job that has been processed.
      // Whatever is in none of them is waiting (or prioritized, paused, waiting for children):
      // QUEUED, as `find` says.
      const read = connection.pipeline();
      for (const id of ids) read.hmget(queue.toKey(id), 'name', 'data', 'atm', 'failedReason', 'processedOn');
      const hashes = await execPipeline(read);
      const jobs: Array<{ id: string; fields: ReadonlyArray<string | null> }> = [];
      hashes.forEach((fields, index) => {
        const id = ids[index];
        if (id !== undefined && Array.isArray(fields) && typeof fields[0] === 'string') jobs.push({ id, fields });
      });
      if (jobs.length === 0) return [];
      const [completedKey, failedKey, delayedKey, activeKey] = ['completed', 'failed', 'delayed', 'active'].map((set) =>
        queue.toKey(set),
      ) as [string, string, string, string];
      const ask = connection.pipeline();
      for (const { id, fields } of jobs) {
        ask.zscore(completedKey, id);
        ask.zscore(failedKey, id);
        ask.zscore(delayedKey, id);
        // Never processed, so never active: keeps the list walk to jobs that have started.
        if (fields[4]) ask.lpos(activeKey, id);
        else ask.echo('');
      }
      const places = await execPipeline(ask);
      return jobs.map(({ id, fields }, index): QueuedTask => {
        const [completed, failed, delayed, active] = places.slice(index * 4, index * 4 + 4);
        const state: QueuedTask['state'] =
          completed !== null
            ? 'COMPLETED'
            : failed !== null
              ? 'FAILED'
              : delayed !== null
                ? 'DELAYED'
                : typeof active === 'number'
                  ? 'ACTIVE'
                  : 'QUEUED';
        const data = JSON.parse(fields[1] ?? '{}') as Partial<JobData>;
        const attemptsMade = Number(fields[2] ?? 0);
        return {
          id,
          taskType: fields[0] ?? '',
          state,
          attempts: state === 'ACTIVE' ? attemptsMade + 1 : attemptsMade,
          error: fields[3] ? fields[3] : null,
          submittedAt: new Date(data.submittedAt ?? 0),
          payload: data.payload,
        };
      });
    },
    counts: () => queue.getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed', 'prioritized'),
    ping: async () => {
      await connection.ping();
    },
    close: () => queue.close(),
  };
};
