import { Router, type Request, type RequestHandler } from 'express';
import { errorMessage, type BasicCredentials, type Registry } from '@sluice/telemetry';
import { parseTagFilters, toActuatorMetric } from '../actuator-metrics.js';
import { createBasicAuth } from '../basic-auth.js';
import { badRequest, HttpProblem } from '../problem.js';

/** A dependency the api needs to serve traffic, checked by /readyz and /actuator/health. */
export interface HealthCheck {
  readonly name: string;
  check(): Promise<void>;
}

/** Gives up on a check that hangs (a half-open connection) so health answers promptly. */
const CHECK_TIMEOUT_MS = 2_000;

const runCheck = async (check: HealthCheck): Promise<{ status: 'UP' | 'DOWN'; error?: string }> => {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check.check(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
      }),
    ]);
    return { status: 'UP' };
  } catch (error) {
    return { status: 'DOWN', error: errorMessage(error) };
  } finally {
    clearTimeout(timer);
  }
};

const metricNotFound = (detail: string): HttpProblem =>
  new HttpProblem(404, 'metric-not-found', 'Metric not found', detail);

/**
 * Health and metrics: `/livez` (the process runs), `/readyz` and `/actuator/health` (Redis and
 * PostgreSQL answer; 503 otherwise), `/metrics` and `/actuator/prometheus`, and Spring Boot's
 * `/actuator/metrics` and `/actuator/metrics/{name}?tag=KEY:VALUE` (see actuator-metrics.ts).
 *
 * Health stays open whatever else is locked, since orchestrators probe it without credentials and
 * it tells nothing but up or down. Metrics carry queue depths and task counts, so with
 * `metricsAuth` (METRICS_USERNAME/METRICS_PASSWORD) they need those basic credentials, which a
 * Prometheus scrape job can send; they are separate from API keys so the scraper holds no key
 * that could submit tasks.
 */
export const createOperationsRoutes = (deps: {
  readonly checks: ReadonlyArray<HealthCheck>;
  readonly registry: Registry;
  readonly metricsAuth?: BasicCredentials;
}): Router => {
  const router = Router();
  const health = async (): Promise<{ status: 'UP' | 'DOWN'; components: Record<string, unknown> }> => {
    const results = await Promise.all(deps.checks.map(async (c) => [c.name, await runCheck(c)] as const));
    return {
      status: results.every(([, r]) => r.status === 'UP') ? 'UP' : 'DOWN',
      components: Object.fromEntries(results),
    };
  };
  const answerHealth = async (_request: unknown, response: import('express').Response) => {
    const body = await health();
    response.status(body.status === 'UP' ? 200 : 503).json(body);
  };
  router.get('/livez', (_request, response) => {
    response.json({ status: 'UP' });
  });
  router.get('/readyz', answerHealth);
  router.get('/actuator/health', answerHealth);
  const metrics = async (_request: unknown, response: import('express').Response) => {
    response.type(deps.registry.contentType).send(await deps.registry.metrics());
  };
  const guard: ReadonlyArray<RequestHandler> =
    deps.metricsAuth === undefined ? [] : [createBasicAuth({ ...deps.metricsAuth, realm: 'Sluice metrics' })];
  router.get('/metrics', ...guard, metrics);
  router.get('/actuator/prometheus', ...guard, metrics);
  router.get('/actuator/metrics', ...guard, (_request, response) => {
    const names = deps.registry.getMetricsAsArray().map((metric) => metric.name);
    response.json({ names: names.sort() });
  });
  router.get('/actuator/metrics/:name', ...guard, async (request: Request<{ name: string }>, response) => {
    const { name } = request.params;
    const filter = parseTagFilters(request.query.tag);
    if (!filter.ok) {
      throw badRequest(
        `Each tag parameter must be KEY:VALUE, but one was ${JSON.stringify(filter.invalid.slice(0, 64))}.`,
        [{ pointer: '/tag', message: 'must be KEY:VALUE' }],
      );
    }
    // This one metric only: the registry's other collectors (BullMQ counts, PostgreSQL reads) stay
    // idle. getSingleMetric is a plain object lookup that would find `constructor` too, so only a
    // registered name reaches it.
    const registered = deps.registry.getMetricsAsArray().some((metric) => metric.name === name);
    const metric = registered ? deps.registry.getSingleMetric(name) : undefined;
    if (metric === undefined) {
      throw metricNotFound(
        `No metric is named ${JSON.stringify(name.slice(0, 128))}; GET /actuator/metrics lists them.`,
      );
    }
    const body = toActuatorMetric(await metric.get(), filter.tags);
    if (body === undefined) {
      const tags = filter.tags.map((tag) => `${tag.key}:${tag.value}`).join(', ');
      throw metricNotFound(`No sample of ${name} has the tags ${JSON.stringify(tags.slice(0, 256))}.`);
    }
    response.json(body);
  });
  return router;
};
