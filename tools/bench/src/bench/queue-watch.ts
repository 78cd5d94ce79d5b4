/**
 * Watching a queue drain from the outside, the same way whoever consumes it: the bench asks
 * BullMQ for its counts, and takes the end of a run from its events stream, where the worker that
 * finished a job stamped the time (after its commit).
 *
 * A job carries one task or, from a bulk request, a parcel of many (issue 15), so the drain waits
 * for jobs but reports tasks: what is still to come is counted from the job data and the
 * waiting parcels' count at EXTRA_TASKS_KEY, not one task a job.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { EXTRA_TASKS_KEY, tasksIn } from '@sluice/tasks';

export interface DrainState {
  /** Jobs that will still run: waiting, active, delayed, prioritized. */
  readonly pending: number;
  readonly failed: number;
}

/** BullMQ's counts, reduced to what a drain waits for. */
export const drainStateOf = (counts: Readonly<Record<string, number>>): DrainState => ({
  pending: ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children']
    .map((state) => counts[state] ?? 0)
    .reduce((sum, n) => sum + n, 0),
  failed: counts.failed ?? 0,
});

/** What the tasks still to come are counted from, read in one moment. */
export interface PendingJobs {
  /** Jobs pending but not active: waiting, delayed, prioritized, waiting for children. */
  readonly queued: number;
  /**
   * Tasks the waiting parcels carry beyond their one job each, as the api and the workers count
   * them at EXTRA_TASKS_KEY (absent: 0).
   */
  readonly extraTasks: number;
  /** The data of each active job, as stored; null for a job that finished meanwhile. */
  readonly activeData: ReadonlyArray<string | null>;
}

/**
 * How many tasks the pending jobs hold: a job not yet active counts one task plus what
 * EXTRA_TASKS_KEY counts beyond it for the parcels, an active job the tasks its data carries.
 * Exact while nothing fails, but for a moment each time a worker takes a parcel (counted twice
 * until it lowers the count) and for a parcel retried whole (one task while it waits): close
 * enough for progress, which is all it is used for; the drain itself waits for jobs.
 *
 * @example
 * pendingTasksOf({ queued: 3, extraTasks: 297, activeData: ['{"tasks":[…100…]}', null] }); // 400
 */
export const pendingTasksOf = (pending: PendingJobs): number =>
  pending.queued +
  Math.max(0, pending.extraTasks) +
  pending.activeData.reduce((sum, data) => {
    if (data === null) return sum;
    try {
      return sum + tasksIn(JSON.parse(data));
    } catch {
      // Not JSON: not a job anything here added, but still one job to wait for.
      return sum + 1;
    }
  }, 0);

/** Reads what {@link pendingTasksOf} counts: the extra-task count, the active list and its jobs' data. */
const readPendingTasks = async (redis: Redis, queue: Queue, queued: number): Promise<number> => {
  const [extra, activeIds] = await Promise.all([
    redis.get(queue.toKey(EXTRA_TASKS_KEY)),
    redis.lrange(queue.toKey('active'), 0, -1),
  ]);
  const read = redis.pipeline();
  for (const id of activeIds) read.hget(queue.toKey(id), 'data');
  const answers = activeIds.length === 0 ? [] : ((await read.exec()) ?? []);
  return pendingTasksOf({
    queued,
    extraTasks: Number(extra ?? 0),
    activeData: answers.map(([error, data]) => (error === null && typeof data === 'string' ? data : null)),
  });
};

export interface DrainOptions {
  readonly timeoutMs: number;
  /** Called about once a second with the tasks still pending (see {@link pendingTasksOf}). */
  readonly onProgress?: (pendingTasks: number) => void;
  readonly signal?: AbortSignal;
}

/**
 * Resolves once no job of the queue is pending. Call it after every job was added: a job moves
 * from waiting to active atomically, so a queue that reads empty has finished. No job pending is
 * no task pending, however many tasks a job carried.
 *
 * @example
 * const { failed } = await waitForDrain(servers.redis, queue, { timeoutMs: 600_000 });
 */
export const waitForDrain = async (redis: Redis, queue: Queue, options: DrainOptions): Promise<DrainState> => {
  const deadline = Date.now() + options.timeoutMs;
  let reportedAt = 0;
  for (;;) {
    const counts = await queue.getJobCounts(
      'waiting',
      'active',
      'delayed',
      'prioritized',
      'waiting-children',
      'failed',
    );
    const state = drainStateOf(counts);
    if (state.pending === 0) return state;
    if (options.signal?.aborted) throw new Error('interrupted');
    if (Date.now() > deadline)
      throw new Error(`${state.pending} jobs still pending after ${options.timeoutMs / 1000} s`);
    if (options.onProgress !== undefined && Date.now() - reportedAt >= 1_000) {
      reportedAt = Date.now();
      options.onProgress(await readPendingTasks(redis, queue, state.pending - (counts.active ?? 0)));
    }
    await sleep(100);
  }
};

/** An entry of BullMQ's events stream as XREVRANGE answers it: the id and the field/value list. */
export type StreamEntry = readonly [id: string, fields: ReadonlyArray<string>];

/**
 * When the newest `completed` or `failed` event among `entries` (newest first) was written, in
 * epoch ms: the first part of its stream id, which Redis stamps from its clock. Undefined when
 * none of them is one.
 *
 * @example
 * lastFinishOf([['1700000000123-0', ['event', 'completed', 'jobId', 'a']]]); // 1700000000123
 */
export const lastFinishOf = (entries: ReadonlyArray<StreamEntry>): number | undefined => {
  for (const [id, fields] of entries) {
    for (let i = 0; i + 1 < fields.length; i += 2) {
      if (fields[i] !== 'event') continue;
      if (fields[i + 1] === 'completed' || fields[i + 1] === 'failed') return Number(id.split('-')[0]);
    }
  }
  return undefined;
};

/**
 * When the last job of the queue finished (epoch ms), from BullMQ's events stream: completed
 * jobs are removed at once (PostgreSQL holds the result), so there is no completed set to read.
 * The newest few events are enough: nothing is added after the last job finishes.
 */
export const lastFinishedAt = async (redis: Redis, queue: Queue): Promise<number | undefined> => {
  const entries = (await redis.xrevrange(
    queue.keys.events ?? `${queue.qualifiedName}:events`,
    '+',
    '-',
    'COUNT',
    200,
  )) as StreamEntry[];
  return lastFinishOf(entries);
};
