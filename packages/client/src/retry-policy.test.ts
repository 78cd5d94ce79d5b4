import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRY, resolveRetryPolicy, retryDelay, type RetryPolicy } from './retry-policy.js';

const policy: RetryPolicy = { attempts: 5, baseDelayMs: 200, maxDelayMs: 10_000, jitter: 0.2 };
const queueFull = { kind: 'answer', status: 503, retryAfterMs: 5_000 } as const;
const network = { kind: 'network' } as const;

describe('retryDelay', () => {
  it('waits what Retry-After asks on a 503, spread up to jitter above it', () => {
    expect(retryDelay(policy, queueFull, 1, 0)).toBe(5_000);
    expect(retryDelay(policy, queueFull, 1, 0.5)).toBe(5_500);
    expect(retryDelay(policy, queueFull, 1, 0.999_999)).toBe(6_000);
  });

  it('retries a 429 with Retry-After as it does a 503', () => {
    expect(retryDelay(policy, { kind: 'answer', status: 429, retryAfterMs: 2_000 }, 1, 0)).toBe(2_000);
  });

  it('does not retry a 503 without Retry-After: a request larger than the high-water mark never fits', () => {
    expect(retryDelay(policy, { kind: 'answer', status: 503, retryAfterMs: undefined }, 1, 0)).toBeUndefined();
  });

  it('does not retry any other status, with Retry-After or without', () => {
    for (const status of [400, 401, 404, 413, 422, 500, 502, 504]) {
      expect(retryDelay(policy, { kind: 'answer', status, retryAfterMs: 1_000 }, 1, 0), String(status)).toBeUndefined();
    }
  });

  it('backs off a network failure from baseDelayMs, doubling on each retry', () => {
    expect([1, 2, 3, 4].map((attempt) => retryDelay(policy, network, attempt, 0))).toEqual([200, 400, 800, 1_600]);
    expect(retryDelay(policy, network, 2, 0.5)).toBe(440);
  });

  it('waits the backoff when it is longer than Retry-After, so Retry-After: 0 is no busy loop', () => {
    expect(retryDelay(policy, { kind: 'answer', status: 503, retryAfterMs: 0 }, 1, 0)).toBe(200);
    expect(retryDelay(policy, { kind: 'answer', status: 503, retryAfterMs: 1_000 }, 4, 0)).toBe(1_600);
  });

  it('never waits past maxDelayMs, and spreads capped waits below the cap', () => {
    const long = { kind: 'answer', status: 503, retryAfterMs: 3_600_000 } as const;
    expect(retryDelay(policy, long, 1, 0)).toBe(8_000);
    expect(retryDelay(policy, long, 1, 0.999_999)).toBe(10_000);
    // Just under the cap: never earlier than asked, never later than the cap.
    const near = { kind: 'answer', status: 503, retryAfterMs: 9_500 } as const;
    expect(retryDelay(policy, near, 1, 0)).toBe(9_500);
    expect(retryDelay(policy, near, 1, 0.999_999)).toBe(10_000);
    expect(retryDelay(policy, network, 40, 0.5)).toBeUndefined();
    expect(retryDelay({ ...policy, attempts: 100 }, network, 40, 0.5)).toBe(9_000);
  });

  it('gives up once the attempts are used: attempts counts the first request', () => {
    expect(retryDelay(policy, queueFull, 4, 0)).toBe(5_000);
    expect(retryDelay(policy, queueFull, 5, 0)).toBeUndefined();
    expect(retryDelay({ ...policy, attempts: 1 }, network, 1, 0)).toBeUndefined();
  });

  it('waits exactly the wanted delay with jitter 0', () => {
    expect(retryDelay({ ...policy, jitter: 0 }, queueFull, 1, 0.9)).toBe(5_000);
  });
});

describe('resolveRetryPolicy', () => {
  it('applies the defaults under the fields given', () => {
    expect(resolveRetryPolicy(undefined)).toEqual(DEFAULT_RETRY);
    expect(resolveRetryPolicy({ attempts: 3 })).toEqual({ ...DEFAULT_RETRY, attempts: 3 });
    expect(resolveRetryPolicy({ attempts: undefined, jitter: 0 })).toEqual({ ...DEFAULT_RETRY, jitter: 0 });
  });

  it('makes retry: false one attempt', () => {
    expect(resolveRetryPolicy(false).attempts).toBe(1);
  });

  it('names the field that is out of range', () => {
    expect(() => resolveRetryPolicy({ attempts: 0 })).toThrow('retry.attempts must be a whole number ≥ 1, got 0');
    expect(() => resolveRetryPolicy({ attempts: 2.5 })).toThrow('retry.attempts');
    expect(() => resolveRetryPolicy({ baseDelayMs: -1 })).toThrow('retry.baseDelayMs must be a number ≥ 0, got -1');
    expect(() => resolveRetryPolicy({ maxDelayMs: Number.NaN })).toThrow('retry.maxDelayMs');
    expect(() => resolveRetryPolicy({ jitter: 1.5 })).toThrow('retry.jitter must be a number from 0 to 1, got 1.5');
  });
});
