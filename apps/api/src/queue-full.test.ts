import { Redis } from 'ioredis';
import { describe, expect } from 'vitest';
import { EXTRA_TASKS_KEY } from '@sluice/tasks';
import { test } from '@sluice/testkit';
import { createBackpressure } from './backpressure.js';
import { startTestApi } from './test-api.js';

/**
 * The api over the test's queue with its high-water mark at `highWater`. Every admission reads the
 * count from Redis, so what this api admitted before cannot stand in for it.
 */
const startApiWithMark = (
  services: { readonly redisUrl: string; readonly databaseUrl: string; readonly queueName: string },
  highWater: number,
  shards?: number,
) =>
  startTestApi({
    ...services,
    ...(shards === undefined ? {} : { shards }),
    backpressure: (queue) => createBackpressure({ highWater, waitingCount: () => queue.waitingTasks(), refreshMs: 0 }),
  });

describe('QUEUE_HIGH_WATER', () => {
  test('answers 503 with Retry-After and enqueues nothing once the queue is at the mark', async ({
    redisUrl,
    databaseUrl,
    queueName,
  }) => {
    const api = await startApiWithMark({ redisUrl, databaseUrl, queueName }, 3);
    try {
      const post = (body: unknown, path = '/api/tasks') =>
        fetch(`${api.url}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
      for (let n = 0; n < 3; n += 1)
        expect((await post({ taskType: 'EMAIL', payload: { to: 'a@example.com' } })).status).toBe(202);
      const full = await post({ taskType: 'EMAIL', payload: { to: 'a@example.com' } });
      expect(full.status).toBe(503);
      expect(full.headers.get('retry-after')).toBe('5');
      expect(await full.json()).toMatchObject({ type: 'https://sluice.dev/problems/queue-full' });
      expect((await post({ count: 10 }, '/api/tasks/batch')).status).toBe(503);
      expect(await api.jobCount()).toBe(3);
    } finally {
      await api.close();
    }
  });

  test("counts a request's own tasks: with 900 waiting under a mark of 1,000, 200 are refused whole and 50 accepted", async ({
    redisUrl,
    databaseUrl,
    queueName,
  }) => {
    const api = await startApiWithMark({ redisUrl, databaseUrl, queueName }, 1_000);
    try {
      const generate = (count: number) =>
        fetch(`${api.url}/api/tasks/batch`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ count, taskTypes: ['EMAIL'] }),
        });
      expect((await generate(900)).status).toBe(202);
      expect(await api.queue.waitingTasks()).toBe(900);
      const jobs = await api.jobCount();

      const refused = await generate(200);
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toBe('5');
      expect(await refused.json()).toMatchObject({ type: 'https://sluice.dev/problems/queue-full' });
      expect(await api.jobCount()).toBe(jobs);

      const bulk = await fetch(`${api.url}/api/tasks/batch`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          tasks: Array.from({ length: 101 }, () => ({ taskType: 'EMAIL', payload: { to: 'a@example.com' } })),
        }),
      });
      expect(bulk.status).toBe(503);
      expect(await api.jobCount()).toBe(jobs);

      const accepted = await generate(50);
      expect(accepted.status).toBe(202);
      expect(await accepted.json()).toMatchObject({ accepted: 50 });
      expect(await api.queue.waitingTasks()).toBe(950);
    } finally {
      await api.close();
    }
  });

  test('counts the tasks parcels carry: 250 in 3 jobs leave no room for 60 under a mark of 300', async ({
    redisUrl,
    databaseUrl,
    queueName,
  }) => {
    const api = await startApiWithMark({ redisUrl, databaseUrl, queueName }, 300);
    const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
    try {
      const bulk = (count: number) =>
        fetch(`${api.url}/api/tasks/batch`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            tasks: Array.from({ length: count }, (_, n) => ({
              taskType: 'EMAIL',
              payload: { to: `u${n}@example.com` },
            })),
          }),
        });
      expect((await bulk(250)).status).toBe(202);
      expect(await api.queue.queues[0]!.getWaitingCount()).toBe(3);

      const refused = await bulk(60);
      expect(refused.status).toBe(503);
      expect(await refused.json()).toMatchObject({
        type: 'https://sluice.dev/problems/queue-full',
        detail: expect.stringMatching(/^250 tasks are waiting/),
      });
      expect(await api.jobCount()).toBe(3);

      // A worker would take them; emptied by hand, the count starts again from nothing.
      await api.queue.queues[0]!.drain();
      expect(await api.queue.waitingTasks()).toBe(0);
      expect(await redis.get(api.queue.queues[0]!.toKey(EXTRA_TASKS_KEY))).toBe('0');
      expect((await bulk(60)).status).toBe(202);
    } finally {
      redis.disconnect();
      await api.close();
    }
  });

  test('counts the waiting tasks of every shard: 4 shards holding 40 tasks leave no room for 1 under a mark of 40', async ({
    redisUrl,
    databaseUrl,
    queueName,
  }) => {
    const api = await startApiWithMark({ redisUrl, databaseUrl, queueName }, 40, 4);
    try {
      const one = (n: number) =>
        fetch(`${api.url}/api/tasks`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ taskType: 'EMAIL', payload: { to: `user${n}@example.com` } }),
        });
      for (let n = 0; n < 40; n += 1) expect((await one(n)).status).toBe(202);
      // Single tasks route by their ids: every shard holds some of the 40.
      const perShard = await Promise.all(api.queue.queues.map((shard) => shard.getWaitingCount()));
      expect(perShard.every((count) => count > 0)).toBe(true);
      expect((await one(40)).status).toBe(503);
      const stats = (await (await fetch(`${api.url}/api/tasks/stats`)).json()) as { queue: { waiting: number } };
      expect(stats.queue.waiting).toBe(40);
    } finally {
      await api.close();
    }
  });
});
