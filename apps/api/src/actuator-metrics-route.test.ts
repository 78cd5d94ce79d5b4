import { describe, expect } from 'vitest';
import { test as base, waitFor } from '@sluice/testkit';
import { startTestApi, type TestApi } from './test-api.js';

const CREDENTIALS = { username: 'prometheus', password: 'scrape-secret-1' } as const;

const test = base.extend<{ api: TestApi; lockedApi: TestApi }>({
  api: async ({ redisUrl, databaseUrl, queueName }, use) => {
    const api = await startTestApi({ redisUrl, databaseUrl, queueName });
    await use(api);
    await api.close();
  },
  lockedApi: async ({ redisUrl, databaseUrl, queueName }, use) => {
    const api = await startTestApi({ redisUrl, databaseUrl, queueName, metricsAuth: CREDENTIALS });
    await use(api);
    await api.close();
  },
});

interface ActuatorMetric {
  name: string;
  description: string | null;
  baseUnit: string | null;
  measurements: Array<{ statistic: string; value: number }>;
  availableTags: Array<{ tag: string; values: string[] }>;
}

const submit = async (api: TestApi, taskType: string, payload: unknown): Promise<void> => {
  const response = await fetch(`${api.url}/api/tasks`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ taskType, payload }),
  });
  expect(response.status).toBe(202);
};

const metric = async (api: TestApi, path: string): Promise<ActuatorMetric> => {
  const response = await fetch(`${api.url}/actuator/metrics/${path}`);
  expect(response.status).toBe(200);
  return (await response.json()) as ActuatorMetric;
};

describe('GET /actuator/metrics', () => {
  test("lists the registry's metric names, sorted", async ({ api }) => {
    const response = await fetch(`${api.url}/actuator/metrics`);
    expect(response.status).toBe(200);
    const { names } = (await response.json()) as { names: string[] };
    expect(names).toContain('sluice_tasks_submitted_total');
    expect(names).toContain('sluice_http_request_duration_seconds');
    expect(names).toEqual([...names].sort());
  });
});

describe('GET /actuator/metrics/{name}', () => {
  test('shows the COUNT of tasks submitted, summed over task types, and each type as a tag', async ({ api }) => {
    await submit(api, 'EMAIL', 'test data');
    await submit(api, 'EMAIL', { to: 'ada@example.com' });
    await submit(api, 'SMS', { to: '+15555550100', message: 'hi' });
    expect(await metric(api, 'sluice_tasks_submitted_total')).toEqual({
      name: 'sluice_tasks_submitted_total',
      description: 'Tasks accepted by the api and enqueued.',
      baseUnit: null,
      measurements: [{ statistic: 'COUNT', value: 3 }],
      availableTags: [{ tag: 'task_type', values: ['EMAIL', 'SMS'] }],
    });
    expect(await metric(api, 'sluice_tasks_submitted_total?tag=task_type:EMAIL')).toMatchObject({
      measurements: [{ statistic: 'COUNT', value: 2 }],
      availableTags: [],
    });
  });

  test('shows a histogram in seconds as COUNT and TOTAL_TIME, narrowed by repeated tags', async ({ api }) => {
    for (let n = 0; n < 3; n++) await submit(api, 'PUSH', { deviceToken: `d${n}`, title: 't' });
    // The request log times a request when its answer has gone out, which the client may see first.
    const posted = await waitFor(
      async () => {
        const found = await metric(
          api,
          `sluice_http_request_duration_seconds?tag=route:${encodeURIComponent('/api/tasks')}&tag=status:202`,
        );
        return found.measurements[0]?.value === 3 ? found : undefined;
      },
      { what: 'three POSTs timed', timeoutMs: 5_000 },
    );
    expect(posted.baseUnit).toBe('seconds');
    expect(posted.measurements.map((m) => m.statistic)).toEqual(['COUNT', 'TOTAL_TIME']);
    expect(posted.measurements[0]?.value).toBe(3);
    expect(posted.measurements[1]?.value).toBeGreaterThan(0);
    expect(posted.availableTags).toEqual([{ tag: 'method', values: ['POST'] }]);

    const all = await metric(api, 'sluice_http_request_duration_seconds');
    expect(all.measurements[0]?.value).toBeGreaterThanOrEqual(4);
    expect(all.availableTags.map((t) => t.tag)).toEqual(['method', 'route', 'status']);
  });

  test('answers 404 problem+json for an unknown name or tags no sample has, 400 for a tag without a colon', async ({
    api,
  }) => {
    for (const path of ['sluice_no_such_metric', 'constructor', 'sluice_tasks_submitted_total?tag=task_type:FAX']) {
      const response = await fetch(`${api.url}/actuator/metrics/${path}`);
      expect(response.status, path).toBe(404);
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(await response.json()).toMatchObject({ type: 'https://sluice.dev/problems/metric-not-found' });
    }
    const bad = await fetch(`${api.url}/actuator/metrics/sluice_tasks_submitted_total?tag=task_type`);
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  });

  test('needs the metrics credentials when they are set, as /actuator/prometheus does', async ({ lockedApi }) => {
    for (const path of ['/actuator/metrics', '/actuator/metrics/sluice_tasks_submitted_total']) {
      const refused = await fetch(`${lockedApi.url}${path}`);
      expect(refused.status, path).toBe(401);
      expect(refused.headers.get('www-authenticate')).toBe('Basic realm="Sluice metrics", charset="UTF-8"');
      const wrong = await fetch(`${lockedApi.url}${path}`, {
        headers: { authorization: `Basic ${Buffer.from('prometheus:guess').toString('base64')}` },
      });
      expect(wrong.status, path).toBe(401);
      const allowed = await fetch(`${lockedApi.url}${path}`, {
        headers: {
          authorization: `Basic ${Buffer.from(`${CREDENTIALS.username}:${CREDENTIALS.password}`).toString('base64')}`,
        },
      });
      expect(allowed.status, path).toBe(200);
    }
  });
});
