import { once } from 'node:events';
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { describe, expect } from 'vitest';
import { test } from '@sluice/testkit';
import { createTaskQueue } from './task-queue.js';

const email = (n: number) => ({ taskType: 'EMAIL', payload: { to: `user${n}@example.com` } });

describe('TaskQueue.findMany', () => {
  test('shows every job as find does, in each state a job can be in, and leaves out ids without one', async ({
    redisUrl,
    queueName,
  }) => {
    const connection = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
    const workerConnection = new Redis(redisUrl, { maxRetriesPerRequest: null });
    await Promise.all([once(connection, 'ready'), once(workerConnection, 'ready')]);
    // A minute's backoff keeps the retried job delayed for the whole test.
    const queue = createTaskQueue(connection, { queueName, retry: { maxRetries: 3, backoffDelayMs: 60_000 } });
    const worker = new Worker(queueName, null, { connection: workerConnection, autorun: false });
    try {
      const [active, retried] = await queue.enqueue([email(0), email(1)], Date.now());
      const once1 = { attempts: 1, removeOnComplete: false } as const;
      const failed = (await queue.queue.add('SMS', { payload: 'lost', submittedAt: Date.now() }, once1)).id ?? '';
      const completed = (await queue.queue.add('PUSH', { payload: 'sent', submittedAt: Date.now() }, once1)).id ?? '';
      const [waiting] = await queue.enqueue([email(2)], Date.now());
      const token = 'test-token';
      const take = () => worker.getNextJob(token);
      expect((await take())?.id).toBe(active);
      await (await take())?.moveToFailed(new Error('try again'), token);
      await (await take())?.moveToFailed(new Error('for good'), token);
      await (await take())?.moveToCompleted('done', token, false);

      const ids = [active, retried, failed, completed, waiting].map((id) => id ?? '');
      const one = await Promise.all(ids.map((id) => queue.find(id)));
      expect(one.map((job) => job?.state)).toEqual(['ACTIVE', 'DELAYED', 'FAILED', 'COMPLETED', 'QUEUED']);
      const many = await queue.findMany([...ids, '0190a5d0-0000-7000-8000-000000000000']);
      expect(many).toEqual(one);
    } finally {
      await worker.close(true);
      await queue.close();
      connection.disconnect();
      workerConnection.disconnect();
    }
  });
});
