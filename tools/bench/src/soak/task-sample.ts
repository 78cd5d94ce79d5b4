/** A task the api accepted, and when its request was sent (epoch ms). */
export interface SampledTask {
  readonly id: string;
  readonly submittedAt: number;
}

export interface TaskSample {
  /** Offers a task; whether it is kept depends on how full the sample is. */
  offer(task: SampledTask): void;
  /** The tasks kept, oldest first. */
  tasks(): ReadonlyArray<SampledTask>;
}

/**
 * A sample of accepted tasks spread evenly over the whole run, in bounded memory, however long
 * the run: it keeps every task offered until `capacity`, then drops every other one it holds
 * and from then on keeps every second task offered, then every fourth, and so on.
 *
 * States: keeping every `stride`-th offer; full ──halve, stride × 2──▶ keeping every `stride`-th.
 *
 * @example
 * const sample = createTaskSample(100_000);
 * sample.offer({ id, submittedAt: Date.now() });
 */
export const createTaskSample = (capacity: number): TaskSample => {
  if (!(Number.isInteger(capacity) && capacity >= 2))
    throw new RangeError(`capacity must be 2 or more, got ${capacity}`);
  let kept: SampledTask[] = [];
  let stride = 1;
  let offered = 0;
  return {
    offer: (task) => {
      offered += 1;
      if ((offered - 1) % stride !== 0) return;
      if (kept.length >= capacity) {
        kept = kept.filter((_, index) => index % 2 === 0);
        stride *= 2;
        // The offer that found the sample full is kept only if it falls on the new stride.
        if ((offered - 1) % stride !== 0) return;
      }
      kept.push(task);
    },
    tasks: () => kept,
  };
};
