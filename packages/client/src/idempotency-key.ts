/** An Idempotency-Key the api takes: 1–255 visible ASCII characters (the api answers 400 to others). */
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

/**
 * The key a POST is sent with, the same on every retry of it: the caller's, checked, or, when
 * the call may be retried, a new random one, so that a retried submission can never make two
 * tasks. Without retries and without the caller's key, none: the api then takes the cheaper
 * path that looks nothing up.
 *
 * @throws {RangeError} for a caller's key the api would refuse, before anything is sent: a key
 *   outside ASCII could not even be put in a header, and fetch would throw a TypeError that
 *   looks like a network failure.
 */
export const idempotencyKeyFor = (given: string | undefined, retried: boolean): string | undefined => {
  if (given !== undefined) {
    if (!IDEMPOTENCY_KEY.test(given)) {
      throw new RangeError(`idempotencyKey must be 1 to 255 visible ASCII characters, got ${JSON.stringify(given)}`);
    }
    return given;
  }
  // randomUUID is in Node ≥ 19 and in browsers' secure contexts (https, localhost).
  return retried ? globalThis.crypto.randomUUID() : undefined;
};
