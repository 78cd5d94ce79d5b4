import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { startPrometheusServer } from './prometheus-server.js';
import { checkMetrics } from './promtool.js';
import { waitFor } from './wait-for.js';

describe('startPrometheusServer', () => {
  it('scrapes the given targets under their job name and answers instant queries', async () => {
    const target = createServer((_request, response) => {
      response.setHeader('content-type', 'text/plain; version=0.0.4');
      response.end('# HELP demo_jobs_total Jobs.\n# TYPE demo_jobs_total counter\ndemo_jobs_total 7\n');
    });
    target.listen(0, '127.0.0.1');
    await once(target, 'listening');
    const prometheus = await startPrometheusServer({
      jobs: [{ name: 'demo', targets: [`127.0.0.1:${(target.address() as AddressInfo).port}`] }],
    });
    try {
      const samples = await waitFor(
        async () => {
          const result = await prometheus.query('demo_jobs_total');
          return result.length > 0 ? result : undefined;
        },
        { what: 'a first scrape', timeoutMs: 30_000 },
      );
      expect(samples[0]!.metric).toMatchObject({ job: 'demo', __name__: 'demo_jobs_total' });
      expect(samples[0]!.value[1]).toBe('7');
      await expect(prometheus.query('sum(')).rejects.toThrow(/Prometheus refused "sum\(": .*parse error/);
    } finally {
      await prometheus.stop();
      target.close();
    }
  });
});

describe('checkMetrics', () => {
  it('passes a clean exposition and reports what promtool finds wrong in another', async () => {
    expect(
      await checkMetrics('# HELP demo_jobs_total Jobs done.\n# TYPE demo_jobs_total counter\ndemo_jobs_total 1\n'),
    ).toEqual({ code: 0, output: '' });
    const bad = await checkMetrics('# HELP demo_jobs Jobs done.\n# TYPE demo_jobs counter\ndemo_jobs 1\n');
    expect(bad.code).not.toBe(0);
    expect(bad.output).toMatch(/counter metrics should have "_total" suffix/);
  });
});
