import { fileURLToPath } from 'node:url';
import { describe, expect } from 'vitest';
import { createDb, migrateToLatest } from '@sluice/store';
import { createSluiceDashboard, panelQueries, SCRAPE_JOBS, withGrafanaVariables } from '@sluice/telemetry/dashboard';
import {
  checkMetrics,
  freePort,
  startNodeProcess,
  startPrometheusServer,
  test,
  waitFor,
  type NodeProcess,
  type PrometheusServer,
} from '@sluice/testkit';

/*
 * The dashboard against a real Prometheus: the api and two workers run as the real entry points,
 * under load, Prometheus scrapes them every second, and every expression of every panel must come
 * back with at least one series. A panel whose metric was renamed, whose label does not exist or
 * that only the api or only a worker could answer shows up here, not on an operator's screen.
 */

const API_MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));
// The api does not depend on the worker package; apps/api/turbo.json builds it before our tests.
const WORKER_MAIN = fileURLToPath(new URL('../../worker/dist/main.js', import.meta.url));

/** What an operator's Grafana would use with a 1 s scrape interval and a short time range. */
const GRAFANA_VARIABLES = { rateInterval: '1m', range: '5m' } as const;

/** Load: plain tasks, tasks that fail their first attempt (retries), tasks that fail for good. */
const PLAIN = 2_700;
const RETRIED_ONCE = 200;
const FAILING = 100;
const TOTAL = PLAIN + RETRIED_ONCE + FAILING;

interface Stack {
  readonly apiUrl: string;
  readonly apiTarget: string;
  readonly workerTargets: ReadonlyArray<string>;
}

const post = async (url: string, body: unknown): Promise<void> => {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (response.status !== 202) throw new Error(`POST ${url}: ${response.status} ${await response.text()}`);
};

const committedRows = async (apiUrl: string): Promise<number> => {
  const stats = (await (await fetch(`${apiUrl}/api/tasks/stats`)).json()) as { totals: { tasks: number } };
  return stats.totals.tasks;
};

/** The number a single-series instant query answers, or undefined while it has no series. */
const scalar = async (prometheus: PrometheusServer, expr: string): Promise<number | undefined> => {
  const [sample] = await prometheus.query(expr);
  return sample === undefined ? undefined : Number(sample.value[1]);
};

describe('the Grafana dashboard against a real Prometheus', () => {
  test('every expression of every panel returns data from a running api and two workers under load', {
    timeout: 240_000,
  }, async ({ redisUrl, databaseUrl, queueName }) => {
    const db = createDb(databaseUrl, { poolSize: 1 });
    await migrateToLatest(db);
    await db.destroy();

    const shared = {
      REDIS_URL: redisUrl,
      DATABASE_URL: databaseUrl,
      QUEUE_NAME: queueName,
      LOG_FORMAT: 'json',
      BACKOFF_DELAY_MS: '200',
      BATCH_TIMEOUT_MS: '500',
      DEMO_WORK_MS: '1',
    };
    const processes: NodeProcess[] = [];
    let prometheus: PrometheusServer | undefined;
    try {
      const apiPort = await freePort();
      const api = startNodeProcess(API_MAIN, { ...shared, PORT: String(apiPort) });
      processes.push(api);
      await api.waitForOutput(/api listening/);
      const workerTargets: string[] = [];
      for (const id of ['worker-1', 'worker-2']) {
        const worker = startNodeProcess(WORKER_MAIN, { ...shared, WORKER_ID: id, METRICS_PORT: '0' });
        processes.push(worker);
        const started = JSON.parse(await worker.waitForOutput(/"worker started"/)) as { metricsPort: number };
        workerTargets.push(`127.0.0.1:${started.metricsPort}`);
      }
      const stack: Stack = { apiUrl: `http://127.0.0.1:${apiPort}`, apiTarget: `127.0.0.1:${apiPort}`, workerTargets };

      prometheus = await startPrometheusServer({
        jobs: [
          { name: SCRAPE_JOBS.api, targets: [stack.apiTarget] },
          { name: SCRAPE_JOBS.worker, targets: stack.workerTargets },
        ],
        scrapeIntervalSeconds: 1,
      });

      await post(`${stack.apiUrl}/api/tasks/batch`, { count: PLAIN, taskTypes: ['EMAIL', 'SMS', 'PUSH'] });
      await post(`${stack.apiUrl}/api/tasks/batch`, {
        tasks: [
          ...Array.from({ length: RETRIED_ONCE }, (_, n) => ({
            taskType: 'SMS',
            payload: {
              to: `+1555000${String(n).padStart(4, '0')}`,
              message: 'retry me',
              simulate: { failAttempts: 1 },
            },
          })),
          ...Array.from({ length: FAILING }, (_, n) => ({
            taskType: 'PUSH',
            payload: { deviceToken: `device-${n}`, title: 'fail me', simulate: { fail: 'permanent' } },
          })),
        ],
      });
      await waitFor(async () => (await committedRows(stack.apiUrl)) === TOTAL, {
        what: `${TOTAL} tasks committed`,
        timeoutMs: 120_000,
        intervalMs: 250,
      });

      // Prometheus has seen the whole load, and has scraped every target at least twice, so
      // every rate() has two samples to work with.
      const seen = prometheus;
      await waitFor(
        async () =>
          (await scalar(seen, 'sum(sluice_tasks_finished_total{outcome=~"completed|failed"})')) === TOTAL &&
          (await scalar(seen, 'min(count_over_time(up[1m]))'))! >= 2 &&
          (await scalar(seen, 'count(up == 1)')) === 3,
        { what: 'Prometheus to scrape the committed load', timeoutMs: 60_000, intervalMs: 250 },
      );

      const queries = panelQueries(createSluiceDashboard());
      expect(new Set(queries.map((q) => q.panel)).size).toBeGreaterThanOrEqual(10);
      const empty: string[] = [];
      for (const { panel, refId, expr } of queries) {
        const series = await seen.query(withGrafanaVariables(expr, GRAFANA_VARIABLES));
        if (series.length === 0) empty.push(`${panel} [${refId}]: ${expr}`);
      }
      expect(empty, 'panel queries that returned no series').toEqual([]);

      // A few of the answers, checked against what the load must have produced.
      expect(await scalar(seen, 'sum(up{job="sluice-worker"})')).toBe(2);
      expect(await scalar(seen, 'sum(sluice_tasks_submitted_total)')).toBe(TOTAL);
      expect(await scalar(seen, 'sum(sluice_tasks_finished_total{outcome="failed"})')).toBe(FAILING);
      expect(await scalar(seen, 'sum(sluice_tasks_finished_total{outcome="retried"})')).toBe(RETRIED_ONCE);
      expect(await scalar(seen, 'sum(sluice_group_size_sum)')).toBe(TOTAL + RETRIED_ONCE);

      // Group sizes and flushes come from the api alone (read from the committed batches), so
      // no group is counted twice; promtool's linter finds nothing to say about either exposition.
      const apiText = await (await fetch(`${stack.apiUrl}/metrics`)).text();
      const workerText = await (await fetch(`http://${stack.workerTargets[0]}/metrics`)).text();
      expect(apiText).toMatch(/^sluice_group_size_count\{task_type="SMS"\} \d+$/m);
      expect(workerText).not.toMatch(/^sluice_group_(size|flushes)/m);
      expect(workerText).toMatch(/^sluice_tasks_finished_total\{/m);
      expect(await checkMetrics(apiText), 'api /metrics').toEqual({ code: 0, output: '' });
      expect(await checkMetrics(workerText), 'worker /metrics').toEqual({ code: 0, output: '' });
    } finally {
      await prometheus?.stop();
      for (const child of processes) child.kill('SIGTERM');
      await Promise.all(processes.map((child) => child.exited));
    }
  });
});
