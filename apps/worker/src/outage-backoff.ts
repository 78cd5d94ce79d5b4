/**
 * Delay before a group whose commit failed for a transient reason (PostgreSQL down, a connection
 * reset) is tried again: doubles with each consecutive failure of this worker, from `baseMs` up
 * to `maxMs`, with ±20 % jitter so replicas do not return in lockstep. A success resets it.
 *
 * @example
 * const backoff = createOutageBackoff({ baseMs: 1_000, maxMs: 30_000 });
 * backoff.next(); // ≈ 1 000, then ≈ 2 000, ≈ 4 000 …
 * backoff.reset();
 */
export const createOutageBackoff = (options: {
  readonly baseMs: number;
  readonly maxMs: number;
  readonly random?: () => number;
}) => {
  const random = options.random ?? Math.random;
  let failures = 0;
  return {
    next: (): number => {
      const delay = Math.min(options.maxMs, Math.max(1, options.baseMs) * 2 ** failures);
      failures = Math.min(failures + 1, 30);
      return Math.round(delay * (0.8 + 0.4 * random()));
    },
    reset: (): void => {
      failures = 0;
    },
  };
};

export type OutageBackoff = ReturnType<typeof createOutageBackoff>;
