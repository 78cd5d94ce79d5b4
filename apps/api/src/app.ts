import express, { type ErrorRequestHandler, type Express, type RequestHandler } from 'express';
import { errorFields, type BasicCredentials, type Logger, type Metrics, type Registry } from '@sluice/telemetry';
import { createApiKeyAuth } from './api-key-auth.js';
import { BOARD_PATH, createBoardRouter, type BoardSettings } from './bull-board.js';
import { API_DOCS_PATH } from './openapi/api-docs-files.js';
import { createApiDocsRoutes } from './openapi/api-docs-routes.js';
import { buildOpenApiDocument } from './openapi/openapi-document.js';
import { packageVersion } from './openapi/package-version.js';
import { HttpProblem } from './problem.js';
import { createRateLimit } from './rate-limit.js';
import type { RateLimiter } from './rate-limiter.js';
import { createRequestLog } from './request-log.js';
import { createBoardSecurityHeaders, createSecurityHeaders } from './security-headers.js';
import { createDashboardRoutes } from './routes/dashboard.js';
import { createOperationsRoutes, type HealthCheck } from './routes/operations.js';
import { createTaskRoutes, type TaskRoutesDeps } from './routes/tasks.js';

export interface AppDeps extends TaskRoutesDeps {
  readonly logger: Logger;
  readonly registry: Registry;
  /** The task routes count submissions; every request is timed by route pattern. */
  readonly metrics: Pick<Metrics, 'tasksSubmitted' | 'httpRequestSeconds'>;
  readonly checks: ReadonlyArray<HealthCheck>;
  /** Bull Board's login and read-only mode (`config.board`); default: no login, not read-only. */
  readonly board?: BoardSettings;
  /**
   * Bearer keys every /api route requires (`config.apiKeys`); default none: /api is open.
   * Health, metrics, Bull Board and the dashboard page have their own rules.
   */
  readonly apiKeys?: ReadonlyArray<string>;
  /** Per-client request budget on /api, shared by replicas through Redis; default: unlimited. */
  readonly rateLimiter?: RateLimiter;
  /**
   * Basic credentials for /metrics, /actuator/prometheus and /actuator/metrics (`config.metricsAuth`);
   * default: open.
   */
  readonly metricsAuth?: BasicCredentials;
}

/** Body size limits: one task is at most 64 KiB of payload; a bulk request holds up to 10,000. */
const SINGLE_BODY_LIMIT = '256kb';
const BULK_BODY_LIMIT = '32mb';

const sendProblem = (response: express.Response, problem: HttpProblem): void => {
  for (const [name, value] of Object.entries(problem.options.headers ?? {})) response.setHeader(name, value);
  response.status(problem.status).type('application/problem+json').send(JSON.stringify(problem.toProblem()));
};

/** Maps body-parser's errors (which carry a `type` and a 4xx `status`) to problem documents. */
const fromBodyParser = (error: { type?: unknown; status?: unknown; message?: unknown }): HttpProblem | undefined => {
  switch (error.type) {
    case 'entity.parse.failed':
      return new HttpProblem(
        400,
        'malformed-json',
        'Malformed JSON',
        `The body is not valid JSON: ${String(error.message)}.`,
      );
    case 'entity.too.large':
      return new HttpProblem(
        413,
        'body-too-large',
        'Body too large',
        'The body is larger than this endpoint accepts (256 KB for one task, 32 MB for a batch).',
      );
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new HttpProblem(415, 'unsupported-media-type', 'Unsupported media type', 'Send the body as UTF-8 JSON.');
    case 'request.aborted':
    case 'request.size.invalid':
    case 'stream.encoding.set':
      return new HttpProblem(400, 'bad-request', 'The request is not valid', String(error.message));
    default:
      return typeof error.status === 'number' && error.status >= 400 && error.status < 500
        ? new HttpProblem(error.status, 'bad-request', 'The request is not valid', String(error.message))
        : undefined;
  }
};

/** The answer for a path nothing serves; `baseUrl` is the path it is mounted at, if any. */
const notFound: RequestHandler = (request, response) => {
  sendProblem(
    response,
    new HttpProblem(
      404,
      'not-found',
      'Not found',
      `Nothing is served at ${request.method} ${request.baseUrl}${request.path}.`,
    ),
  );
};

/**
 * Builds the api without listening, so tests can drive it directly.
 *
 * @example
 * const app = createApp(deps);
 * app.listen(8038);
 */
export const createApp = (deps: AppDeps): Express => {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  // First, so that every request, however it ends, is logged once, timed and has an id.
  app.use(createRequestLog({ logger: deps.logger, httpSeconds: deps.metrics.httpRequestSeconds }));
  // Next, so 401s, 429s, 404s and every problem document carry the security headers too.
  app.use(createSecurityHeaders());
  // The OpenAPI document and its reference page, before the key check and the rate limit: like
  // the dashboard page at /, they hold no data (the document is built from the code and the
  // catalog, not from anything submitted), a client needs the contract before it has a key, and
  // reading it should not spend a client's budget. The routes that hold data keep both checks.
  // A path under /api/docs that is not one of the page's files is a 404, key or not. The page
  // keeps the strict Content-Security-Policy: Swagger UI needs nothing beyond it.
  app.use(createApiDocsRoutes(buildOpenApiDocument(deps.catalog, { version: packageVersion() })));
  app.use(API_DOCS_PATH, notFound);
  // The key check before the limiter: a request is counted against its key, and one without a
  // valid key is refused for the price of a hash, without a Redis round trip. Keys are at least
  // 16 visible characters, too many to guess at any rate. Both run before the body is parsed.
  if (deps.apiKeys !== undefined && deps.apiKeys.length > 0) app.use('/api', createApiKeyAuth(deps.apiKeys));
  if (deps.rateLimiter !== undefined)
    app.use('/api', createRateLimit({ limiter: deps.rateLimiter, logger: deps.logger }));

  const single = express.json({ limit: SINGLE_BODY_LIMIT, strict: false });
  const bulk = express.json({ limit: BULK_BODY_LIMIT, strict: false });
  app.use('/api/tasks/batch', bulk);
  app.use('/api/tasks', ((request, response, next) =>
    request.path === '/batch' ? next() : single(request, response, next)) as RequestHandler);
  app.use('/api/tasks', createTaskRoutes(deps));
  app.use(
    createOperationsRoutes({
      checks: deps.checks,
      registry: deps.registry,
      ...(deps.metricsAuth === undefined ? {} : { metricsAuth: deps.metricsAuth }),
    }),
  );
  app.use(
    BOARD_PATH,
    createBoardSecurityHeaders(),
    createBoardRouter(deps.queue.queues, deps.board ?? { readOnly: false }),
  );
  app.use(createDashboardRoutes());

  app.use(notFound);

  app.use(((error: unknown, request, response, _next) => {
    const problem =
      error instanceof HttpProblem
        ? error
        : typeof error === 'object' && error !== null
          ? fromBodyParser(error as Record<string, unknown>)
          : undefined;
    if (problem) {
      if (problem.status >= 500) {
        deps.logger.warn('request failed', {
          method: request.method,
          path: request.originalUrl,
          status: problem.status,
          requestId: response.locals.requestId,
          cause: String(problem.cause ?? ''),
        });
      }
      sendProblem(response, problem);
      return;
    }
    deps.logger.error('unexpected error', {
      method: request.method,
      path: request.originalUrl,
      requestId: response.locals.requestId,
      ...errorFields(error),
    });
    sendProblem(
      response,
      new HttpProblem(500, 'internal', 'Internal error', 'The server failed to answer; the error is logged.'),
    );
  }) as ErrorRequestHandler);

  return app;
};
