import { afterEach, describe, expect, it } from 'vitest';
import { Registry, createMetrics } from '@sluice/telemetry';
import { startMetricsServer, type MetricsServer } from './metrics-server.js';

const servers: MetricsServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

const start = async (registry: Registry, port = 0): Promise<MetricsServer> => {
  const server = await startMetricsServer({ registry, port, host: '127.0.0.1' });
  servers.push(server);
  return server;
};

describe('the worker metrics server', () => {
  it('serves the registry at /metrics in the Prometheus text format, as it is at scrape time', async () => {
    const registry = new Registry();
    const metrics = createMetrics(registry, { defaults: false });
    const server = await start(registry);
    metrics.tasksFinished.inc({ task_type: 'EMAIL', outcome: 'completed' }, 3);
    const response = await fetch(`http://127.0.0.1:${server.port}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe(registry.contentType);
    expect(await response.text()).toContain('sluice_tasks_finished_total{task_type="EMAIL",outcome="completed"} 3');
  });

  it('answers /livez with 200 and anything else with 404', async () => {
    const server = await start(new Registry());
    const live = await fetch(`http://127.0.0.1:${server.port}/livez`);
    expect(live.status).toBe(200);
    expect(await live.json()).toEqual({ status: 'UP' });
    expect((await fetch(`http://127.0.0.1:${server.port}/api/tasks`)).status).toBe(404);
    expect((await fetch(`http://127.0.0.1:${server.port}/metrics`, { method: 'POST' })).status).toBe(405);
  });

  it('asks for the metrics credentials when they are set, and keeps /livez open', async () => {
    const auth = { username: 'prom', password: 'scrape:me' };
    const server = await startMetricsServer({ registry: new Registry(), port: 0, host: '127.0.0.1', auth });
    servers.push(server);
    const url = `http://127.0.0.1:${server.port}`;
    const basic = (pair: string) => ({ headers: { authorization: `Basic ${Buffer.from(pair).toString('base64')}` } });

    const anonymous = await fetch(`${url}/metrics`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe('Basic realm="Sluice metrics", charset="UTF-8"');
    expect((await fetch(`${url}/metrics`, basic('prom:wrong'))).status).toBe(401);
    expect((await fetch(`${url}/metrics`, basic('prom:scrape:me'))).status).toBe(200);
    expect((await fetch(`${url}/livez`)).status).toBe(200);
  });

  it('refuses a port that is taken, naming METRICS_PORT', async () => {
    const first = await start(new Registry());
    await expect(startMetricsServer({ registry: new Registry(), port: first.port, host: '127.0.0.1' })).rejects.toThrow(
      `METRICS_PORT ${first.port} is already in use`,
    );
  });

  it('takes any free port instead of a taken one when allowed to (the default port, unset by the user)', async () => {
    const first = await start(new Registry());
    const second = await startMetricsServer({
      registry: new Registry(),
      port: first.port,
      host: '127.0.0.1',
      orAnyFreePort: true,
    });
    servers.push(second);
    expect(second.port).not.toBe(first.port);
    expect((await fetch(`http://127.0.0.1:${second.port}/livez`)).status).toBe(200);
  });

  it('closes even while a scraper keeps its connection open', async () => {
    const server = await startMetricsServer({ registry: new Registry(), port: 0, host: '127.0.0.1' });
    await fetch(`http://127.0.0.1:${server.port}/metrics`, { keepalive: true });
    await server.close();
    await expect(fetch(`http://127.0.0.1:${server.port}/livez`)).rejects.toThrow();
  });
});
