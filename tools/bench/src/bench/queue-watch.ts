/**
 * Watching a queue drain from the outside, the same way whoever consumes it: the bench asks
 * BullMQ for its counts, and takes the end of a run from the completed set, whose score is the
 * time each job finished (stamped by the worker that finished it, after its commit).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';

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

export interface DrainOptions {
  readonly timeoutMs: number;
  /** Called about once a second with the jobs still pending. */
  readonly onProgress?: (pending: number) => void;
  readonly signal?: AbortSignal;
}

/**
 * Resolves once no job of the queue is pending. Call it after every job was added: a job moves
 * from waiting to active atomically, so a queue that reads empty has finished.
 *
 * @example
 * const { failed } = await waitForDrain(queue, { timeoutMs: 600_000 });
 */
export const waitForDrain = async (queue: Queue, options: DrainOptions): Promise<DrainState> => {
  const deadline = Date.now() + options.timeoutMs;
  let reportedAt = 0;
  for (;;) {
    const state = drainStateOf(
      await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'waiting-children', 'failed'),
    );
    if (state.pending === 0) return state;
    if (options.signal?.aborted) throw new Error('interrupted');
    if (Date.now() > deadline)
      throw new Error(`${state.pending} jobs still pending after ${options.timeoutMs / 1000} s`);
    if (Date.now() - reportedAt >= 1_000) {
      reportedAt = Date.now();
      options.onProgress?.(state.pending);
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
