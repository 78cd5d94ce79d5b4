import { describe, expect } from 'vitest';
import { test } from '@sluice/testkit';
import { createBackpressure } from './backpressure.js';
import { startTestApi } from './test-api.js';

describe('QUEUE_HIGH_WATER', () => {
  test('answers 503 with Retry-After and enqueues nothing once the waiting count is above the mark', async ({
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
      for (let n = 0; n < 4; n += 1)
        expect((await post({ taskType: 'EMAIL', payload: { to: 'a@example.com' } })).status).toBe(202);
      const full = await post({ taskType: 'EMAIL', payload: { to: 'a@example.com' } });
      expect(full.status).toBe(503);
      expect(full.headers.get('retry-after')).toBe('5');
      expect(await full.json()).toMatchObject({ type: 'https://sluice.dev/problems/queue-full' });
      expect((await post({ count: 10 }, '/api/tasks/batch')).status).toBe(503);
      expect(await api.jobCount()).toBe(4);
    } finally {
      await api.close();
    }
  });
});
