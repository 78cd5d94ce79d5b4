import { Queue, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
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
  counts(): Promise<Readonly<Record<string, number>>>;
  ping(): Promise<void>;
  readonly queue: Queue;
  close(): Promise<void>;
}

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
    counts: () => queue.getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed', 'prioritized'),
    ping: async () => {
      await connection.ping();
    },
    close: () => queue.close(),
  };
};
