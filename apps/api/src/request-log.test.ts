import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import express, { type ErrorRequestHandler } from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { test } from '@sluice/testkit';
import { Registry, createMetrics } from '@sluice/telemetry';
import { createRequestLog, NO_ROUTE, type RequestLogger } from './request-log.js';
import { startTestApi } from './test-api.js';

interface Logged {
  readonly level: 'info' | 'warn';
  readonly message: string;
  readonly fields: Readonly<Record<string, unknown>>;
}

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

/** A small app with the request log in front: a route with a parameter, a throwing one, a mount. */
const startApp = async () => {
  const lines: Logged[] = [];
  const logger: RequestLogger = {
    info: (message, fields) => lines.push({ level: 'info', message, fields }),
    warn: (message, fields) => lines.push({ level: 'warn', message, fields }),
  };
  const registry = new Registry();
  const metrics = createMetrics(registry, { defaults: false });
  const app = express();
  app.use(createRequestLog({ logger, httpSeconds: metrics.httpRequestSeconds }));
  const items = express.Router();
  items.get('/:id', (request, response) => {
    response.json({ id: request.params.id });
  });
  items.get('/:id/broken', () => {
    throw new Error('broken on purpose');
  });
  app.use('/items', items);
  app.use('/assets', (_request, response) => {
    response.type('text/css').send('body {}');
  });
  app.use(((_error, _request, response, _next) => {
    response.status(500).end();
  }) as ErrorRequestHandler);
  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  closers.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  /** Fetches, then waits for the response's log line (written when the connection side is done). */
  const request = async (path: string, headers: Record<string, string> = {}) => {
    const before = lines.length;
    const response = await fetch(`${url}${path}`, { headers });
    await response.arrayBuffer();
    for (let tries = 0; lines.length === before && tries < 100; tries += 1) await new Promise((r) => setTimeout(r, 5));
    return response;
  };
  return { lines, registry, request };
};

describe('the request log', () => {
  it('logs each request once with method, path, route pattern, status, duration and request id', async () => {
    const app = await startApp();
    const response = await app.request('/items/42?verbose=1');
    expect(response.status).toBe(200);
    expect(app.lines).toHaveLength(1);
    const [line] = app.lines;
    expect(line).toMatchObject({ level: 'info', message: 'request' });
    expect(line!.fields).toMatchObject({
      method: 'GET',
      path: '/items/42',
      route: '/items/:id',
      status: 200,
      requestId: response.headers.get('x-request-id'),
    });
    expect(line!.fields.durationMs).toEqual(expect.any(Number));
  });

  it('keeps a sane X-Request-Id and sends it back; replaces one that is not', async () => {
    const app = await startApp();
    const kept = await app.request('/items/1', { 'X-Request-Id': 'edge-7f3a:92' });
    expect(kept.headers.get('x-request-id')).toBe('edge-7f3a:92');
    expect(app.lines[0]!.fields.requestId).toBe('edge-7f3a:92');

    for (const bad of ['two words', 'x'.repeat(129), '"quoted"']) {
      const replaced = await app.request('/items/1', { 'X-Request-Id': bad });
      expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    }
    const generated = await app.request('/items/1');
    expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(new Set(app.lines.map((l) => l.fields.requestId)).size).toBe(app.lines.length);
  });

  it('times requests by route pattern, never the raw path, also when the handler throws', async () => {
    const app = await startApp();
    await app.request('/items/1');
    await app.request('/items/2');
    const failed = await app.request('/items/3/broken');
    expect(failed.status).toBe(500);
    await app.request('/assets/site.css');
    await app.request('/nothing/here');
    const text = await app.registry.metrics();
    expect(text).toContain(
      'sluice_http_request_duration_seconds_count{method="GET",route="/items/:id",status="200"} 2',
    );
    expect(text).toContain(
      'sluice_http_request_duration_seconds_count{method="GET",route="/items/:id/broken",status="500"} 1',
    );
    expect(text).toContain('sluice_http_request_duration_seconds_count{method="GET",route="/assets/*",status="200"} 1');
    expect(text).toContain(
      `sluice_http_request_duration_seconds_count{method="GET",route="${NO_ROUTE}",status="404"} 1`,
    );
    expect(text).not.toMatch(/route="\/items\/\d/);
    expect(app.lines.find((l) => l.fields.status === 500)).toMatchObject({
      level: 'warn',
      fields: { route: '/items/:id/broken' },
    });
  });
});

describe('the api', () => {
  test('answers with a request id and counts requests under their route pattern in /metrics', async ({
    redisUrl,
    databaseUrl,
    queueName,
  }) => {
    const api = await startTestApi({ redisUrl, databaseUrl, queueName });
    try {
      const missing = await fetch(`${api.url}/api/tasks/0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b`, {
        headers: { 'X-Request-Id': 'trace-1' },
      });
      expect(missing.status).toBe(404);
      expect(missing.headers.get('x-request-id')).toBe('trace-1');
      const invalid = await fetch(`${api.url}/api/tasks`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ taskType: 'FAX', payload: {} }),
      });
      expect(invalid.status).toBe(422);
      const text = await (await fetch(`${api.url}/metrics`)).text();
      expect(text).toContain(
        'sluice_http_request_duration_seconds_count{method="GET",route="/api/tasks/:id",status="404"} 1',
      );
      expect(text).toContain(
        'sluice_http_request_duration_seconds_count{method="POST",route="/api/tasks",status="422"} 1',
      );
    } finally {
      await api.close();
    }
  });
});
