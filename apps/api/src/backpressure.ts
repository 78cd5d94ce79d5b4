import { HttpProblem } from './problem.js';

export interface BackpressureOptions {
  /** Waiting jobs above which submissions are refused (QUEUE_HIGH_WATER). */
  readonly highWater: number;
  /** Reads the queue's waiting count (BullMQ `getWaitingCount`). */
  readonly waitingCount: () => Promise<number>;
  /** How long a count is reused, in ms (default 1 000): one Redis call a second, not one a request. */
  readonly refreshMs?: number;
  readonly now?: () => number;
}

/**
 * Refuses submissions while the queue is deeper than its high-water mark, so a flood fills
 * neither Redis's memory nor the workers' backlog: clients get a 503 with Retry-After and can
 * come back once the workers have caught up.
 *
 * @example
 * const backpressure = createBackpressure({ highWater: 1_000_000, waitingCount: () => queue.getWaitingCount() });
 * await backpressure.check(); // throws a 503 HttpProblem above the mark
 */
export const createBackpressure = (options: BackpressureOptions) => {
  const refreshMs = options.refreshMs ?? 1_000;
  const now = options.now ?? Date.now;
  let cached: { readonly waiting: number; readonly at: number } | undefined;
  return {
    check: async (): Promise<void> => {
      if (cached === undefined || now() - cached.at >= refreshMs) {
        cached = { waiting: await options.waitingCount(), at: now() };
      }
      if (cached.waiting > options.highWater) {
        throw new HttpProblem(
          503,
          'queue-full',
          'Queue full',
          `${cached.waiting} tasks are waiting, above the high-water mark of ${options.highWater}; nothing was enqueued. Retry later.`,
          { headers: { 'Retry-After': '5' } },
        );
      }
    },
  };
};

export type Backpressure = ReturnType<typeof createBackpressure>;
