import type { RedisClient } from '@sluice/tasks';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';

/** What the limiter says of one request. */
export type RateDecision =
  | {
      readonly kind: 'allowed' | 'limited';
      /** Points per window. */
      readonly limit: number;
      /** Points left in the current window after this request (0 when limited). */
      readonly remaining: number;
      /** Whole seconds until the window resets and the points come back. */
      readonly resetSeconds: number;
    }
  /** The store could not be asked (Redis down): the caller decides, and we let the request through. */
  | { readonly kind: 'unavailable'; readonly error: unknown };

export interface RateLimiter {
  /** Points per window (`RATE_LIMIT_POINTS`). */
  readonly points: number;
  /** Window length in seconds (`RATE_LIMIT_WINDOW_SECONDS`). */
  readonly windowSeconds: number;
  /** Takes `cost` points (default 1) from `client`'s budget. Never rejects. */
  consume(client: string, cost?: number): Promise<RateDecision>;
}

export interface RateLimiterOptions {
  readonly points: number;
  readonly windowSeconds: number;
  /**
   * Prefix of the counters' Redis keys. Replicas that should share a budget use the same one;
   * main.ts derives it from the queue name, so two deployments on one Redis stay apart.
   */
  readonly keyPrefix: string;
}

/**
 * A fixed-window counter per client in Redis (rate-limiter-flexible's `RateLimiterRedis`: one
 * Lua script call, INCRBY plus a TTL, per request), on the api's own ioredis connection. Because
 * the count lives in Redis, every api replica draws on the same budget.
 *
 * `rejectIfRedisNotReady` makes a request fail at once while the connection is down, rather than
 * wait: the connection has no offline queue either, so a Redis outage costs no latency here.
 *
 * @example
 * const limiter = createRateLimiter(redis, { points: 600, windowSeconds: 60, keyPrefix: 'sluice:rl:tasks' });
 * const decision = await limiter.consume('ip:10.0.0.7');
 */
export const createRateLimiter = (redis: RedisClient, options: RateLimiterOptions): RateLimiter => {
  if (!Number.isInteger(options.points) || options.points < 1) {
    throw new Error(`RateLimiterOptions.points must be a whole number of at least 1 (got ${options.points})`);
  }
  if (!Number.isInteger(options.windowSeconds) || options.windowSeconds < 1) {
    throw new Error(
      `RateLimiterOptions.windowSeconds must be a whole number of at least 1 (got ${options.windowSeconds})`,
    );
  }
  const store = new RateLimiterRedis({
    storeClient: redis,
    points: options.points,
    duration: options.windowSeconds,
    keyPrefix: options.keyPrefix,
    rejectIfRedisNotReady: true,
  });
  const decide = (kind: 'allowed' | 'limited', result: RateLimiterRes): RateDecision => ({
    kind,
    limit: options.points,
    remaining: kind === 'limited' ? 0 : result.remainingPoints,
    resetSeconds: Math.max(1, Math.ceil(result.msBeforeNext / 1000)),
  });
  return {
    points: options.points,
    windowSeconds: options.windowSeconds,
    consume: async (client, cost = 1) => {
      try {
        return decide('allowed', await store.consume(client, cost));
      } catch (outcome) {
        // rate-limiter-flexible rejects with a RateLimiterRes when the budget is spent, and with
        // an Error when it could not reach the store.
        return outcome instanceof RateLimiterRes ? decide('limited', outcome) : { kind: 'unavailable', error: outcome };
      }
    },
  };
};
