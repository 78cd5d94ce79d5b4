import { HttpProblem } from './problem.js';

export interface BackpressureOptions {
  /** The most tasks that may be waiting; a submission that would go above it is refused (QUEUE_HIGH_WATER). */
  readonly highWater: number;
  /** Reads the tasks waiting in the queue (`TaskQueue.waitingTasks`). */
  readonly waitingCount: () => Promise<number>;
  /** How long a count is reused, in ms (default 1 000): one Redis call a second, not one a request. */
  readonly refreshMs?: number;
  readonly now?: () => number;
}

/**
 * Refuses submissions that would take the queue above its high-water mark, so a flood fills
 * neither Redis's memory nor the workers' backlog: clients get a 503 with Retry-After and can
 * come back once the workers have caught up.
 *
 * A submission counts with its size: one 100,000-task request is refused by a nearly full queue
 * (issue 13), all of it, not let in because the queue was below the mark a moment before. The
 * waiting count is read from Redis at most once per `refreshMs`; what this api admits in between
 * is added to it, so a burst of requests within one refresh cannot pass the mark either. (Other
 * api replicas' admissions show up at the next refresh.)
 *
 * The count is of tasks, not jobs: a bulk request's tasks travel in parcels of up to a batch size
 * a job, so the waiting jobs plus the tasks their parcels carry beyond one each (a counter in
 * Redis). Exact while nothing fails; a worker that crashes with a parcel before it lowers the
 * counter leaves it too high, and a parcel BullMQ retries whole, or a retry parcel, waits counted
 * as one task. The counter goes back to 0 whenever
 * the waiting list is empty, so none of these outlives the backlog: see waiting-tasks.ts in @sluice/tasks.
 *
 * @example
 * const backpressure = createBackpressure({ highWater: 1_000_000, waitingCount: () => queue.waitingTasks() });
 * await backpressure.admit(submissions.length); // throws a 503 HttpProblem if they would pass the mark
 */
export const createBackpressure = (options: BackpressureOptions) => {
  const refreshMs = options.refreshMs ?? 1_000;
  const now = options.now ?? Date.now;
  let cached: { readonly waiting: number; readonly at: number } | undefined;
  return {
    /** Admits `tasks` tasks about to be enqueued, or throws a 503 `queue-full` HttpProblem. */
    admit: async (tasks: number): Promise<void> => {
      if (cached === undefined || now() - cached.at >= refreshMs) {
        cached = { waiting: await options.waitingCount(), at: now() };
      }
      const { waiting, at } = cached;
      if (waiting + tasks <= options.highWater) {
        cached = { waiting: waiting + tasks, at };
        return;
      }
      // A request bigger than the mark can never be admitted: waiting would not help, so no Retry-After.
      if (tasks > options.highWater) {
        throw new HttpProblem(
          503,
          'queue-full',
          'Queue full',
          `This request's ${tasks} tasks are more than the high-water mark of ${options.highWater} tasks waiting; nothing was enqueued. Send them in parts of at most ${options.highWater}.`,
        );
      }
      throw new HttpProblem(
        503,
        'queue-full',
        'Queue full',
        `${waiting} tasks are waiting; this request's ${tasks} would take the queue above its high-water mark of ${options.highWater}. Nothing was enqueued. Retry later.`,
        { headers: { 'Retry-After': '5' } },
      );
    },
  };
};

export type Backpressure = ReturnType<typeof createBackpressure>;
