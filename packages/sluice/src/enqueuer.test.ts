import { once } from 'node:events';
import { Redis } from 'ioredis';
import { describe, expect } from 'vitest';
import { createDb, migrateToLatest } from '@sluice/store';
import { ENQUEUER_DEFAULTS } from '@sluice/tasks';
import { test, waitFor } from '@sluice/testkit';
import {
  createEnqueuer,
  defineTaskType,
  InvalidTaskError,
  loadConfig,
  openCommittedTasks,
  startWorker,
  type WorkerHandle,
} from './index.js';
import { z } from 'zod';

const taskTypes = [
  defineTaskType({
    name: 'HELLO',
    payload: z.object({ name: z.string().min(1) }),
    handle: async (tasks) => tasks.map((task) => ({ ok: true, result: { greeting: `Hello, ${task.payload.name}!` } })),
  }),
];

describe('the sluice package’s enqueuer', () => {
  test('defaults to the settings the api and workers default to, so its jobs match theirs', () => {
    const config = loadConfig({});
    expect(ENQUEUER_DEFAULTS).toEqual({
      queueName: config.queueName,
      shards: config.shards.count,
      batchSize: config.batch.size,
      retry: { maxRetries: config.batch.maxRetries, backoffDelayMs: config.batch.backoffDelayMs },
      failedJobs: config.redisBounds.failedJobs,
    });
  });

  test('enqueues a task a worker commits, and a keyed re-send after it ran finds it in the database', async ({
    redisUrl,
    databaseUrl,
    queueName,
  }) => {
    const db = createDb(databaseUrl, { poolSize: 1 });
    await migrateToLatest(db);
    await db.destroy();
    const config = loadConfig({
      REDIS_URL: redisUrl,
      DATABASE_URL: databaseUrl,
      QUEUE_NAME: queueName,
      BATCH_TIMEOUT_MS: '100',
    });
    const worker: WorkerHandle = await startWorker({ taskTypes, config });
    const redis = new Redis(redisUrl, { enableOfflineQueue: false });
    await once(redis, 'ready');
    const committed = openCommittedTasks(databaseUrl);
    const enqueuer = createEnqueuer({ redis, taskTypes, queueName, committed });
    try {
      await expect(enqueuer.submit('HELLO', { name: '' })).rejects.toBeInstanceOf(InvalidTaskError);
      const first = await enqueuer.submit('HELLO', { name: 'Ada' }, { idempotencyKey: 'hello-ada' });
      expect(first).toMatchObject({ status: 'QUEUED', replayed: false });
      await waitFor(async () => (await committed.findTasks([first.id])).length === 1);
      const [row] = await committed.findTasks([first.id]);
      expect(row).toMatchObject({ status: 'COMPLETED', result: { greeting: 'Hello, Ada!' } });
      // The row commits before the job is acknowledged: until then a re-send finds the job ACTIVE.
      await waitFor(
        async () =>
          (await enqueuer.submit('HELLO', { name: 'Ada' }, { idempotencyKey: 'hello-ada' })).status === 'COMPLETED',
      );
      expect(await enqueuer.submit('HELLO', { name: 'Ada' }, { idempotencyKey: 'hello-ada' })).toEqual({
        id: first.id,
        status: 'COMPLETED',
        replayed: true,
      });
    } finally {
      await enqueuer.close();
      await committed.close();
      redis.disconnect();
      await worker.close();
    }
  });
});
