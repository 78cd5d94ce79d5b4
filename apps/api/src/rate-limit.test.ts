import { describe, expect, it } from 'vitest';
import { startRedisServer, test, waitFor } from '@sluice/testkit';
import { rateLimitHeaders } from './rate-limit.js';
import { startTestApi } from './test-api.js';

const EMAIL = { taskType: 'EMAIL', payload: { to: 'ada@example.com' } };

const get = (url: string, path: string, key?: string) =>
  fetch(`${url}${path}`, key === undefined ? {} : { headers: { authorization: `Bearer ${key}` } });

const post = (url: string, path: string, body: unknown, key?: string) =>
  fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key === undefined ? {} : { authorization: `Bearer ${key}` }) },
    body: JSON.stringify(body),
  });

describe('rateLimitHeaders', () => {
  it('names the limit, what is left, the seconds to the reset and the policy', () => {
    expect(rateLimitHeaders({ kind: 'allowed', limit: 100, remaining: 99, resetSeconds: 42 }, 60)).toEqual({
      'RateLimit-Limit': '100',
      'RateLimit-Remaining': '99',
      'RateLimit-Reset': '42',
      'RateLimit-Policy': '100;w=60',
    });
  });
});

describe('rate limiting on /api (RATE_LIMIT_POINTS per RATE_LIMIT_WINDOW_SECONDS)', () => {
  test('two api replicas on one Redis draw on one budget per client, and say what is left on every answer', async ({
    redisUrl,
    databaseUrl,
    queueName,
  }) => {
    const options = { redisUrl, databaseUrl, queueName, rateLimit: { points: 5, windowSeconds: 600 } };
    const [a, b] = [await startTestApi(options), await startTestApi(options)];
    try {
      const remaining: Array<string | null> = [];
      for (const api of [a, b, a, b, a]) {
        const response = await get(api.url, '/api/tasks/stats');
        expect(response.status).toBe(200);
        expect(response.headers.get('ratelimit-limit')).toBe('5');
        expect(response.headers.get('ratelimit-policy')).toBe('5;w=600');
        expect(Number(response.headers.get('ratelimit-reset'))).toBeGreaterThan(0);
        remaining.push(response.headers.get('ratelimit-remaining'));
      }
      expect(remaining).toEqual(['4', '3', '2', '1', '0']);

      for (const api of [b, a]) {
        const refused = await post(api.url, '/api/tasks', EMAIL);
        expect(refused.status).toBe(429);
        expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
        const retryAfter = Number(refused.headers.get('retry-after'));
        expect(retryAfter).toBeGreaterThan(0);
        expect(retryAfter).toBeLessThanOrEqual(600);
        expect(refused.headers.get('ratelimit-remaining')).toBe('0');
        expect(refused.headers.get('ratelimit-reset')).toBe(String(retryAfter));
        expect(await refused.json()).toMatchObject({ status: 429, type: 'https://sluice.dev/problems/rate-limited' });
      }
      expect(await a.jobCount()).toBe(0);

      // Operations are not /api: a throttled client can still be probed and scraped.
      expect((await get(a.url, '/actuator/health')).status).toBe(200);
      expect((await get(b.url, '/readyz')).status).toBe(200);
      expect((await get(a.url, '/metrics')).status).toBe(200);
      const scrape = await get(a.url, '/actuator/prometheus');
      expect(scrape.status).toBe(200);
      expect(scrape.headers.get('ratelimit-limit')).toBeNull();
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  test('counts each API key on its own, and a batch of tasks as one request', async ({
    redisUrl,
    databaseUrl,
    queueName,
  }) => {
    const keys = ['key-aaaaaaaaaaaaaaaa', 'key-bbbbbbbbbbbbbbbb'] as const;
    const api = await startTestApi({
      redisUrl,
      databaseUrl,
      queueName,
      apiKeys: keys,
      rateLimit: { points: 2, windowSeconds: 600 },
    });
    try {
      const batch = { tasks: [EMAIL, EMAIL, EMAIL] };
      const first = await post(api.url, '/api/tasks/batch', batch, keys[0]);
      expect(first.status).toBe(202);
      expect(first.headers.get('ratelimit-remaining')).toBe('1');
      expect((await post(api.url, '/api/tasks/batch', batch, keys[0])).status).toBe(202);
      expect((await post(api.url, '/api/tasks/batch', batch, keys[0])).status).toBe(429);

      const other = await get(api.url, '/api/tasks/stats', keys[1]);
      expect(other.status).toBe(200);
      expect(other.headers.get('ratelimit-remaining')).toBe('1');
      expect(await api.taskCount()).toBe(6);
    } finally {
      await api.close();
    }
  });

  test('gives the budget back when the window ends', async ({ redisUrl, databaseUrl, queueName }) => {
    const api = await startTestApi({ redisUrl, databaseUrl, queueName, rateLimit: { points: 1, windowSeconds: 1 } });
    try {
      expect((await get(api.url, '/api/tasks/stats')).status).toBe(200);
      // The second request may land in the next window already; keep asking until one is refused.
      await waitFor(async () => (await get(api.url, '/api/tasks/stats')).status === 429, {
        what: 'a 429',
        intervalMs: 0,
      });
      await waitFor(async () => (await get(api.url, '/api/tasks/stats')).status === 200, {
        what: 'a 200 after the window',
      });
    } finally {
      await api.close();
    }
  });

  test('lets requests through when Redis is down instead of failing them: reads from PostgreSQL still answer', async ({
    databaseUrl,
    queueName,
  }) => {
    const redis = await startRedisServer();
    const api = await startTestApi({
      redisUrl: redis.url,
      databaseUrl,
      queueName,
      rateLimit: { points: 1, windowSeconds: 600 },
    });
    try {
      expect((await get(api.url, '/api/tasks/batches')).status).toBe(200);
      expect((await get(api.url, '/api/tasks/batches')).status).toBe(429);
      await redis.kill();

      for (let n = 0; n < 3; n += 1) {
        const read = await get(api.url, '/api/tasks/batches');
        expect(read.status).toBe(200);
        expect(read.headers.get('ratelimit-limit')).toBeNull();
      }
      const submitted = await post(api.url, '/api/tasks', EMAIL);
      expect(submitted.status).toBe(503);
      expect(await submitted.json()).toMatchObject({ detail: expect.stringMatching(/Redis is not reachable/) });
    } finally {
      await api.close();
      await redis.stop();
    }
  });
});

describe('without RATE_LIMIT_POINTS', () => {
  test('sends no RateLimit headers and never answers 429', async ({ redisUrl, databaseUrl, queueName }) => {
    const api = await startTestApi({ redisUrl, databaseUrl, queueName });
    try {
      const answers = await Promise.all(Array.from({ length: 50 }, () => get(api.url, '/api/tasks/batches')));
      expect(answers.map((answer) => answer.status)).toEqual(Array.from({ length: 50 }, () => 200));
      expect(answers[0]?.headers.get('ratelimit-limit')).toBeNull();
    } finally {
      await api.close();
    }
  });
});
