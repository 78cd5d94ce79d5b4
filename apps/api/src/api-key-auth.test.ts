import { describe, expect } from 'vitest';
import { test } from '@sluice/testkit';
import { startTestApi } from './test-api.js';

const KEYS = ['key-aaaaaaaaaaaaaaaa', 'key-bbbbbbbbbbbbbbbb'] as const;
const EMAIL = { taskType: 'EMAIL', payload: { to: 'ada@example.com' } };
const basic = (pair: string): string => `Basic ${Buffer.from(pair).toString('base64')}`;

describe('API_KEYS', () => {
  test('every /api route needs one of the keys as a bearer token; a refusal is a 401 problem with a Bearer challenge', async ({
    redisUrl,
    databaseUrl,
    queueName,
  }) => {
    const api = await startTestApi({ redisUrl, databaseUrl, queueName, apiKeys: KEYS });
    try {
      const get = (path: string, authorization?: string) =>
        fetch(`${api.url}${path}`, authorization === undefined ? {} : { headers: { authorization } });

      const anonymous = await get('/api/tasks/stats');
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers.get('www-authenticate')).toBe('Bearer realm="Sluice api"');
      expect(anonymous.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(await anonymous.json()).toMatchObject({ status: 401, type: 'https://sluice.dev/problems/unauthorized' });

      const wrong = await get('/api/tasks/stats', `Bearer ${KEYS[0]}x`);
      expect(wrong.status).toBe(401);
      expect(wrong.headers.get('www-authenticate')).toBe('Bearer realm="Sluice api", error="invalid_token"');
      // A key in another scheme, a prefix of a key, and an unknown path are refused alike.
      expect((await get('/api/tasks/stats', basic(`user:${KEYS[0]}`))).status).toBe(401);
      expect((await get('/api/tasks/stats', `Bearer ${KEYS[0].slice(0, -1)}`)).status).toBe(401);
      expect((await get('/api/nothing-here')).status).toBe(401);

      for (const key of KEYS) expect((await get('/api/tasks/stats', `Bearer ${key}`)).status).toBe(200);
      expect((await get('/api/tasks/batches', `bearer ${KEYS[1]}`)).status).toBe(200);
    } finally {
      await api.close();
    }
  });

  test('a submission without a key enqueues nothing; with one it is accepted', async ({
    redisUrl,
    databaseUrl,
    queueName,
  }) => {
    const api = await startTestApi({ redisUrl, databaseUrl, queueName, apiKeys: KEYS });
    try {
      const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
        fetch(`${api.url}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body: JSON.stringify(body),
        });
      expect((await post('/api/tasks', EMAIL)).status).toBe(401);
      expect((await post('/api/tasks/batch', { count: 10 })).status).toBe(401);
      expect((await post('/api/tasks', EMAIL, { authorization: 'Bearer wrong-key-wrong-key' })).status).toBe(401);
      expect(await api.jobCount()).toBe(0);
      expect((await post('/api/tasks', EMAIL, { authorization: `Bearer ${KEYS[0]}` })).status).toBe(202);
      expect(await api.jobCount()).toBe(1);
    } finally {
      await api.close();
    }
  });

  test('leaves health, the dashboard page and its assets open', async ({ redisUrl, databaseUrl, queueName }) => {
    const api = await startTestApi({ redisUrl, databaseUrl, queueName, apiKeys: KEYS });
    try {
      for (const path of [
        '/actuator/health',
        '/readyz',
        '/livez',
        '/',
        '/dashboard/js/main.js',
        '/dashboard/dashboard.css',
        '/metrics',
      ]) {
        expect((await fetch(`${api.url}${path}`)).status, path).toBe(200);
      }
    } finally {
      await api.close();
    }
  });
});

describe('METRICS_USERNAME and METRICS_PASSWORD', () => {
  test('put /metrics and /actuator/prometheus behind basic auth, which an API key does not open', async ({
    redisUrl,
    databaseUrl,
    queueName,
  }) => {
    const metricsAuth = { username: 'prom', password: 'scrape:me' };
    const api = await startTestApi({ redisUrl, databaseUrl, queueName, apiKeys: KEYS, metricsAuth });
    try {
      for (const path of ['/metrics', '/actuator/prometheus']) {
        const anonymous = await fetch(`${api.url}${path}`);
        expect(anonymous.status, path).toBe(401);
        expect(anonymous.headers.get('www-authenticate')).toBe('Basic realm="Sluice metrics", charset="UTF-8"');
        expect((await fetch(`${api.url}${path}`, { headers: { authorization: `Bearer ${KEYS[0]}` } })).status).toBe(
          401,
        );
        expect((await fetch(`${api.url}${path}`, { headers: { authorization: basic('prom:wrong') } })).status).toBe(
          401,
        );
        const scraped = await fetch(`${api.url}${path}`, { headers: { authorization: basic('prom:scrape:me') } });
        expect(scraped.status).toBe(200);
        expect(await scraped.text()).toContain('sluice_tasks_submitted_total');
      }
      expect((await fetch(`${api.url}/actuator/health`)).status).toBe(200);
      // The metrics credentials are not an API key either.
      expect(
        (await fetch(`${api.url}/api/tasks/stats`, { headers: { authorization: basic('prom:scrape:me') } })).status,
      ).toBe(401);
    } finally {
      await api.close();
    }
  });
});
