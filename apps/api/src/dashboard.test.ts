import { describe, expect } from 'vitest';
import { test as base } from '@sluice/testkit';
import { startTestApi, type TestApi } from './test-api.js';

const test = base.extend<{ api: TestApi }>({
  api: async ({ redisUrl, databaseUrl, queueName }, use) => {
    const api = await startTestApi({ redisUrl, databaseUrl, queueName });
    await use(api);
    await api.close();
  },
});

describe('the dashboard page', () => {
  test('is served at / and links only assets the api serves itself', async ({ api }) => {
    const response = await fetch(`${api.url}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await response.text();

    const links = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1] ?? '');
    expect(links).toContain('/dashboard/vendor/chart.js/chart.umd.min.js');
    expect(links.filter((link) => !link.startsWith('/'))).toEqual([]);
    // No inline script, so a strict Content-Security-Policy can be added without breaking the page.
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    for (const link of links) {
      expect((await fetch(`${api.url}${link}`)).status, link).toBe(200);
    }
  });

  test('serves Chart.js from the installed package and the page’s modules as JavaScript', async ({ api }) => {
    const chart = await fetch(`${api.url}/dashboard/vendor/chart.js/chart.umd.min.js`);
    expect(chart.headers.get('content-type')).toMatch(/javascript/);
    expect(await chart.text()).toMatch(/Chart\.js v4\./);
    const main = await fetch(`${api.url}/dashboard/js/main.js`);
    expect(main.headers.get('content-type')).toMatch(/javascript/);
  });

  test('answers a missing asset with the api’s problem+json 404', async ({ api }) => {
    const response = await fetch(`${api.url}/dashboard/js/nope.js`);
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  });

  test('serves only its own files under /dashboard, not the API reference’s or the page again', async ({ api }) => {
    for (const path of ['/dashboard/api-docs/index.html', '/dashboard/api-docs/api-docs.js', '/dashboard/index.html']) {
      expect((await fetch(`${api.url}${path}`)).status, path).toBe(404);
    }
    expect((await fetch(`${api.url}/dashboard/dashboard.css`)).status).toBe(200);
  });
});

describe('GET /api/tasks/throughput', () => {
  test('answers one point per second for the last five minutes, oldest first, zeros when idle', async ({ api }) => {
    const response = await fetch(`${api.url}/api/tasks/throughput`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      until: number;
      intervalMs: number;
      points: Array<{ at: number; tasks: number; batches: number }>;
    };

    expect(body.intervalMs).toBe(1_000);
    expect(body.points).toHaveLength(300);
    expect(body.points[0]).toEqual({ at: body.until - 300_000, tasks: 0, batches: 0 });
    expect(body.points.at(-1)?.at).toBe(body.until - 1_000);
    expect(Math.abs(body.until - Date.now())).toBeLessThan(5_000);
  });

  test('takes the window length in seconds', async ({ api }) => {
    const body = (await (await fetch(`${api.url}/api/tasks/throughput?seconds=10`)).json()) as { points: unknown[] };
    expect(body.points).toHaveLength(10);
  });

  test.for(['0', '3601', '1.5', 'abc', ''])('answers seconds=%s with a 400 problem', async (seconds, { api }) => {
    const response = await fetch(`${api.url}/api/tasks/throughput?seconds=${seconds}`);
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await response.json()).toMatchObject({ errors: [{ pointer: '/seconds' }] });
  });
});
