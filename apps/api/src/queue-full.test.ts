import { describe, expect } from 'vitest';
import { test } from '@sluice/testkit';
import { createBackpressure } from './backpressure.js';
import { startTestApi } from './test-api.js';

describe('QUEUE_HIGH_WATER', () => {
  test('answers 503 with Retry-After and enqueues nothing once the queue is at the mark', async ({
    redisUrl,
    databaseUrl,
    queueName,
  }) => {
    const api = await startTestApi({
      redisUrl,
      databaseUrl,
      queueName,
      backpressure: (queue) =>
        createBackpressure({ highWater: 3, waitingCount: () => queue.queue.getWaitingCount(), refreshMs: 0 }),
    });
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
    const api = await startTestApi({
      redisUrl,
      databaseUrl,
      queueName,
      backpressure: (queue) =>
        createBackpressure({ highWater: 1_000, waitingCount: () => queue.queue.getWaitingCount(), refreshMs: 0 }),
    });
    try {
      const generate = (count: number) =>
        fetch(`${api.url}/api/tasks/batch`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ count, taskTypes: ['EMAIL'] }),
        });
      expect((await generate(900)).status).toBe(202);
      expect(await api.queue.queue.getWaitingCount()).toBe(900);

      const refused = await generate(200);
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toBe('5');
      expect(await refused.json()).toMatchObject({ type: 'https://sluice.dev/problems/queue-full' });
      expect(await api.jobCount()).toBe(900);

      const bulk = await fetch(`${api.url}/api/tasks/batch`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          tasks: Array.from({ length: 101 }, () => ({ taskType: 'EMAIL', payload: { to: 'a@example.com' } })),
        }),
      });
      expect(bulk.status).toBe(503);
      expect(await api.jobCount()).toBe(900);

      const accepted = await generate(50);
      expect(accepted.status).toBe(202);
      expect(await accepted.json()).toMatchObject({ accepted: 50 });
      expect(await api.jobCount()).toBe(950);
    } finally {
      await api.close();
    }
  });
});
