import { Router, type RequestHandler } from 'express';
import type { BasicCredentials, Registry } from '@sluice/telemetry';
import { createBasicAuth } from '../basic-auth.js';

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
    return { status: 'DOWN', error: error instanceof Error ? error.message : String(error) };
  } finally {
    clearTimeout(timer);
  }
};

/**
 * Health and metrics: `/livez` (the process runs), `/readyz` and `/actuator/health` (Redis and
 * PostgreSQL answer; 503 otherwise), `/metrics` and `/actuator/prometheus`.
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
  return router;
};
