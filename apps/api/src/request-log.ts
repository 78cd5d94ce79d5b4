import type { Request, RequestHandler } from 'express';
import type { Metrics } from '@sluice/telemetry';
import { REQUEST_ID_HEADER, requestIdFrom } from './request-id.js';

/** The part of a logger this needs; winston's Logger is one. */
export interface RequestLogger {
  info(message: string, fields: Readonly<Record<string, unknown>>): unknown;
  warn(message: string, fields: Readonly<Record<string, unknown>>): unknown;
}

export interface RequestLogDeps {
  readonly logger: RequestLogger;
  readonly httpSeconds: Metrics['httpRequestSeconds'];
}

/** The `route` label of a response no route pattern matched: a 404, or a static file. */
export const NO_ROUTE = '(other)';

/**
 * Express sets `request.route` when a route matches, but by the time the response is done a
 * router left through `next(error)` has already put `baseUrl` back, and the mount path would be
 * lost (`/:id` instead of `/api/tasks/:id`). So the full pattern is taken at the moment the
 * route is set, through an accessor on this one request.
 */
const trackRoutePattern = (request: Request): (() => string) => {
  let route: unknown;
  let pattern: string | undefined;
  Object.defineProperty(request, 'route', {
    configurable: true,
    enumerable: true,
    get: () => route,
    set: (value: unknown) => {
      route = value;
      const path = (value as { path?: unknown } | undefined)?.path;
      if (typeof path === 'string') pattern = `${request.baseUrl}${path === '/' ? '' : path}` || '/';
    },
  });
  // A middleware that answers without a route (express.static) leaves its mount path in baseUrl.
  return () => pattern ?? (request.baseUrl ? `${request.baseUrl}/*` : NO_ROUTE);
};

/**
 * Logs every request once, when its response is done or abandoned, and times it in
 * `sluice_http_request_duration_seconds` by method, route pattern and status. Gives each request
 * an id (the caller's `X-Request-Id` when sane), kept in `response.locals.requestId` and sent back
 * in the same header. Mount it first.
 *
 * @example
 * app.use(createRequestLog({ logger, httpSeconds: metrics.httpRequestSeconds }));
 */
export const createRequestLog =
  ({ logger, httpSeconds }: RequestLogDeps): RequestHandler =>
  (request, response, next) => {
    const started = process.hrtime.bigint();
    const requestId = requestIdFrom(request.get(REQUEST_ID_HEADER));
    response.locals.requestId = requestId;
    response.setHeader(REQUEST_ID_HEADER, requestId);
    const routePattern = trackRoutePattern(request);
    // 'close' comes once for every response, sent in full or not (the client went away).
    response.once('close', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const completed = response.writableFinished;
      const status = completed ? String(response.statusCode) : 'aborted';
      const route = routePattern();
      httpSeconds.observe({ method: request.method, route, status }, seconds);
      const fields = {
        method: request.method,
        path: request.originalUrl.split('?', 1)[0],
        status: completed ? response.statusCode : 'aborted',
        durationMs: Math.round(seconds * 100_000) / 100,
        route,
        requestId,
      };
      if (!completed || response.statusCode >= 500) logger.warn('request', fields);
      else logger.info('request', fields);
    });
    next();
  };
