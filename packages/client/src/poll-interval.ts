/** The first pause of `waitFor` between two looks at a task, in ms. */
export const FIRST_POLL_MS = 100;
/** The longest pause of `waitFor`, in ms: a task that takes minutes costs one request a second. */
export const MAX_POLL_MS = 1_000;

/**
 * The pause before look number `poll + 1` at a task, in ms: 100 ms after the first, growing by
 * half each time up to 1 s, so a quick task is seen soon and a slow one is not polled hard.
 *
 * @example
 * [0, 1, 2, 6].map(pollInterval); // [100, 150, 225, 1000]
 */
export const pollInterval = (poll: number): number => Math.min(MAX_POLL_MS, Math.round(FIRST_POLL_MS * 1.5 ** poll));
