import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { describe, expect } from 'vitest';
import { startNodeProcess, startRedisServer, test, waitFor } from '@sluice/testkit';
import { startTestApi } from './test-api.js';

const API_MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));

const submit = (url: string) =>
  fetch(`${url}/api/tasks`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ taskType: 'EMAIL', payload: { to: 'ada@example.com' } }),
    // The api must answer at once while Redis is down, never hold the request: 1 s is the promise.
    signal: AbortSignal.timeout(1_000),
  });

describe('Redis outages', () => {
  test('answers 503 with Retry-After at once while Redis is down, enqueues nothing, and accepts again once it is back', async ({
    databaseUrl,
    queueName,
  }) => {
    // fsync before every reply: the spec asserts that a task accepted before a SIGKILL is still
    // there after it, which `everysec` promises only to within a second (a slow background fsync
    // on a busy disk postpones the write).
    const redis = await startRedisServer({ appendfsync: 'always' });
    const api = await startTestApi({ redisUrl: redis.url, databaseUrl, queueName });
    try {
      expect((await submit(api.url)).status).toBe(202);
      await redis.kill();

      const refused = await submit(api.url);
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toBe('1');
      expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(await refused.json()).toMatchObject({
        status: 503,
        detail: expect.stringMatching(/Redis is not reachable/),
      });
      const health = await fetch(`${api.url}/actuator/health`);
      expect(health.status).toBe(503);
      expect(await health.json()).toMatchObject({
        status: 'DOWN',
        components: { redis: { status: 'DOWN' }, db: { status: 'UP' } },
      });

      await redis.restart();
      const accepted = await waitFor(
        async () => {
          const response = await submit(api.url);
          return response.status === 202 ? response : undefined;
        },
        { what: 'a 202 after Redis came back' },
      );
      expect(accepted.status).toBe(202);
      // AOF kept the task accepted before the outage; the 503 added nothing.
      expect(await api.jobCount()).toBe(2);
    } finally {
      await api.close();
      await redis.stop();
    }
  });

  test('refuses to start against a Redis whose eviction policy could drop queued tasks', async () => {
    const redis = await startRedisServer();
    try {
      const admin = new Redis(redis.url);
      await admin.config('SET', 'maxmemory-policy', 'volatile-lru');
      admin.disconnect();
      const api = startNodeProcess(API_MAIN, { REDIS_URL: redis.url, PORT: '0' });
      expect((await api.exited).code).toBe(1);
      expect(api.output()).toMatch(/maxmemory-policy is "volatile-lru", but Sluice needs "noeviction"/);
      expect(api.output()).toMatch(/CONFIG SET maxmemory-policy noeviction/);
    } finally {
      await redis.stop();
    }
  });
});
