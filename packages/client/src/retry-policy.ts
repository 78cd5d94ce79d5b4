/** How the client retries a request the api could not take right now. Every field is optional. */
export interface RetryOptions {
  /** Requests in all for one call, the first included: a whole number ≥ 1. Default 5. */
  readonly attempts?: number | undefined;
  /**
   * The backoff before the first retry, in ms, doubled for each retry after it: the whole wait
   * after a network failure, and the least wait after a `Retry-After`. Default 200.
   */
  readonly baseDelayMs?: number | undefined;
  /** The longest wait before any one retry, in ms, however long `Retry-After` asks for. Default 10,000. */
  readonly maxDelayMs?: number | undefined;
  /**
   * How far each wait is spread at random, as a fraction of it (0–1), so that clients told the
   * same `Retry-After` at the same moment do not all come back in the same one. Default 0.2.
   */
  readonly jitter?: number | undefined;
}

/** {@link RetryOptions} with every field set. */
export type RetryPolicy = { readonly [Field in keyof RetryOptions]-?: number };

/** The retries a client makes unless told otherwise: at most about 25 s of waiting in all. */
export const DEFAULT_RETRY: RetryPolicy = Object.freeze({
  attempts: 5,
  baseDelayMs: 200,
  maxDelayMs: 10_000,
  jitter: 0.2,
});

/** A policy that sends each request once. */
const NO_RETRY: RetryPolicy = Object.freeze({ ...DEFAULT_RETRY, attempts: 1 });

/** What went wrong with one attempt, as far as retrying cares. */
export type FailedAttempt =
  /** The api answered with a status that is not 2xx; `retryAfterMs` is its parsed `Retry-After`. */
  | { readonly kind: 'answer'; readonly status: number; readonly retryAfterMs: number | undefined }
  /** No answer came: `fetch` threw a TypeError (refused, reset, DNS). */
  | { readonly kind: 'network' };

const check = (ok: boolean, field: string, rule: string, value: unknown): void => {
  if (!ok) throw new RangeError(`retry.${field} must be ${rule}, got ${String(value)}`);
};

/**
 * The policy for the `retry` option: `false` for none, else the defaults under what is given.
 *
 * @throws {RangeError} naming the field, for a value out of its range.
 *
 * @example
 * resolveRetryPolicy({ attempts: 3 }); // { attempts: 3, baseDelayMs: 200, maxDelayMs: 10000, jitter: 0.2 }
 */
export const resolveRetryPolicy = (options: RetryOptions | false | undefined): RetryPolicy => {
  if (options === false) return NO_RETRY;
  // Field by field, not a spread: a field given as `undefined` takes its default too.
  const policy: RetryPolicy = {
    attempts: options?.attempts ?? DEFAULT_RETRY.attempts,
    baseDelayMs: options?.baseDelayMs ?? DEFAULT_RETRY.baseDelayMs,
    maxDelayMs: options?.maxDelayMs ?? DEFAULT_RETRY.maxDelayMs,
    jitter: options?.jitter ?? DEFAULT_RETRY.jitter,
  };
  check(
    Number.isSafeInteger(policy.attempts) && policy.attempts >= 1,
    'attempts',
    'a whole number ≥ 1',
    policy.attempts,
  );
  check(
    Number.isFinite(policy.baseDelayMs) && policy.baseDelayMs >= 0,
    'baseDelayMs',
    'a number ≥ 0',
    policy.baseDelayMs,
  );
  check(Number.isFinite(policy.maxDelayMs) && policy.maxDelayMs >= 0, 'maxDelayMs', 'a number ≥ 0', policy.maxDelayMs);
  check(policy.jitter >= 0 && policy.jitter <= 1, 'jitter', 'a number from 0 to 1', policy.jitter);
  return Object.freeze(policy);
};

/**
 * Whether a failed attempt may be retried, and after how long: the wait in ms, or `undefined`
 * to give up with the attempt's error. `attempt` counts the attempts made so far (1 after the
 * first); `random` is a number in [0, 1).
 *
 * Retried: a network failure, and a `503` or `429` that carries `Retry-After`. A `503` without
 * it is the api saying that waiting will not help (a request larger than `QUEUE_HIGH_WATER`),
 * and every other status is an answer a re-send would only repeat. The wait is the longer of
 * `Retry-After` and the backoff (`baseDelayMs` doubled per retry), spread up to `jitter` above
 * it; never past `maxDelayMs`, and when the cap cuts it, spread up to `jitter` below the cap so
 * that capped clients do not return in step either.
 *
 * @example
 * retryDelay(DEFAULT_RETRY, { kind: 'answer', status: 503, retryAfterMs: 5_000 }, 1, 0); // 5000
 * retryDelay(DEFAULT_RETRY, { kind: 'answer', status: 503, retryAfterMs: undefined }, 1, 0); // undefined
 * retryDelay(DEFAULT_RETRY, { kind: 'network' }, 3, 0); // 800
 */
export const retryDelay = (
  policy: RetryPolicy,
  failed: FailedAttempt,
  attempt: number,
  random: number,
): number | undefined => {
  if (attempt >= policy.attempts) return undefined;
  const backoff = policy.baseDelayMs * 2 ** (attempt - 1);
  let wanted: number;
  if (failed.kind === 'network') wanted = backoff;
  else if ((failed.status === 503 || failed.status === 429) && failed.retryAfterMs !== undefined)
    wanted = Math.max(failed.retryAfterMs, backoff);
  else return undefined;
  const cap = policy.maxDelayMs;
  const floor = wanted < cap ? wanted : cap * (1 - policy.jitter);
  const ceiling = Math.min(cap, wanted * (1 + policy.jitter));
  return Math.round(floor + random * (ceiling - floor));
};
