import type { Request, RequestHandler } from 'express';
import { errorFields, type Logger } from '@sluice/telemetry';
import { clientOf } from './api-key-auth.js';
import { HttpProblem } from './problem.js';
import type { RateDecision, RateLimiter } from './rate-limiter.js';

/**
 * The IETF RateLimit header fields (draft-ietf-httpapi-ratelimit-headers, the widely deployed
 * `RateLimit-Limit`/`-Remaining`/`-Reset` form, plus `RateLimit-Policy` naming the quota and the
 * window) for a decision. Pure, so the shape is specified without a server.
 *
 * @example
 * rateLimitHeaders({ kind: 'allowed', limit: 100, remaining: 99, resetSeconds: 60 }, 60);
 * // { 'RateLimit-Limit': '100', 'RateLimit-Remaining': '99', 'RateLimit-Reset': '60', 'RateLimit-Policy': '100;w=60' }
 */
export const rateLimitHeaders = (
  decision: Extract<RateDecision, { kind: 'allowed' | 'limited' }>,
  windowSeconds: number,
): Readonly<Record<string, string>> => ({
  'RateLimit-Limit': String(decision.limit),
  'RateLimit-Remaining': String(decision.remaining),
  'RateLimit-Reset': String(decision.resetSeconds),
  'RateLimit-Policy': `${decision.limit};w=${windowSeconds}`,
});

/**
 * Who a request counts against: its API key (set by the key check that runs first) or else its
 * IP address. Behind a reverse proxy every client shares the proxy's address.
 */
const clientKey = (request: Request, locals: string | undefined): string =>
  locals ?? `ip:${request.ip ?? request.socket.remoteAddress ?? 'unknown'}`;

/**
 * Charges each request one point of its client's budget and answers 429 with `Retry-After` once
 * the budget of the window is spent. Allowed responses carry the RateLimit headers too, so a
 * client can slow down before it is refused.
 *
 * One point per request, whatever it holds: the limiter runs before the body is read, so a client
 * over its budget costs no parsing of a 32 MB batch; the volume of work is bounded separately, by
 * the 10,000 tasks a request and the queue's high-water mark.
 *
 * Fails open. States: `working` → `failing` when the store cannot be reached (Redis down: logged
 * once as a warning, and every request passes unlimited, since its enqueue would answer 503 by
 * itself and a limiter must not turn reads into errors) → `working` at the next answer (logged).
 *
 * @example
 * app.use('/api', createRateLimit({ limiter, logger }));
 */
export const createRateLimit = (deps: { readonly limiter: RateLimiter; readonly logger: Logger }): RequestHandler => {
  const { limiter, logger } = deps;
  let failing = false;
  return async (request, response, next) => {
    const client = clientKey(request, clientOf(response));
    const decision = await limiter.consume(client);
    if (decision.kind === 'unavailable') {
      if (!failing) {
        failing = true;
        logger.warn('rate limiter cannot reach Redis: letting requests through unlimited', errorFields(decision.error));
      }
      next();
      return;
    }
    if (failing) {
      failing = false;
      logger.info('rate limiter reaches Redis again: limits apply');
    }
    const headers = rateLimitHeaders(decision, limiter.windowSeconds);
    if (decision.kind === 'limited') {
      next(
        new HttpProblem(
          429,
          'rate-limited',
          'Too many requests',
          `This client has used its ${decision.limit} requests per ${limiter.windowSeconds} s; nothing was done. Retry after ${decision.resetSeconds} s.`,
          { headers: { ...headers, 'Retry-After': String(decision.resetSeconds) } },
        ),
      );
      return;
    }
    response.set(headers);
    next();
  };
};
