/** One look at the system while waiting for the drain. Undefined: that server did not answer. */
export interface DrainSample {
  readonly atMs: number;
  /** BullMQ waiting + active + delayed + prioritized. */
  readonly depth: number | undefined;
  /** BullMQ's failed set. */
  readonly failedSet: number | undefined;
  /** Rows in `tasks`. */
  readonly committed: number | undefined;
}

export interface DrainTracker {
  /** Records a sample; true once the queue has been empty and the counts still for `stableMs`. */
  observe(sample: DrainSample): boolean;
}

/**
 * Decides when the queue has drained. An empty queue is not enough: a group's jobs complete in
 * BullMQ only after its commit, but a killed worker's jobs are invisible to the counts until
 * the stalled check returns them, and a commit can still be landing. So the queue must stay
 * empty, and the committed and failed counts unchanged, for `stableMs`.
 *
 * States: unsettled (queue not empty, a server silent, or a count moved) ──▶ settling (empty
 * and still since `since`) ──stableMs──▶ drained. Any change goes back to unsettled.
 *
 * @example
 * const tracker = createDrainTracker({ stableMs: 3000 });
 * tracker.observe({ atMs: Date.now(), depth: 0, failedSet: 0, committed: 5000 });
 */
export const createDrainTracker = (options: { readonly stableMs: number }): DrainTracker => {
  let since: number | undefined;
  let last: DrainSample | undefined;
  return {
    observe: (sample) => {
      const readable = sample.depth !== undefined && sample.committed !== undefined && sample.failedSet !== undefined;
      const still =
        readable &&
        sample.depth === 0 &&
        last !== undefined &&
        last.committed === sample.committed &&
        last.failedSet === sample.failedSet;
      if (!readable || sample.depth !== 0) since = undefined;
      else if (!still || since === undefined) since = sample.atMs;
      last = sample;
      return since !== undefined && sample.atMs - since >= options.stableMs;
    },
  };
};
