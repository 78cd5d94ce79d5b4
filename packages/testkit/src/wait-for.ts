export interface WaitForOptions {
  /**
   * Give up after this many ms (default 60,000): a guard against hanging, not a speed check, so it
   * is generous enough for a shared 2-core machine under load.
   */
  readonly timeoutMs?: number;
  /** Pause between checks in ms (default 50). */
  readonly intervalMs?: number;
  /** Named in the error when the condition never holds. */
  readonly what?: string;
}

/**
 * Polls `check` until it returns a value other than `undefined`/`false`, and returns it.
 *
 * @example
 * const row = await waitFor(() => store.findTask(id), { what: 'task committed' });
 */
export const waitFor = async <T>(
  check: () => Promise<T | undefined | false> | T | undefined | false,
  options: WaitForOptions = {},
): Promise<T> => {
  const { timeoutMs = 60_000, intervalMs = 50, what = 'condition' } = options;
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `waitFor: ${what} did not hold within ${timeoutMs} ms${last ? ` (last error: ${String(last)})` : ''}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
};
