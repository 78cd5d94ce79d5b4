import { createDemoCatalog, createTaskQueue, shardQueueNames } from '@sluice/tasks';
import { Redis } from 'ioredis';
import { describe, expect } from 'vitest';
import { RETRY, test } from './test-processes.js';
import { demoTasks } from './test-tasks.js';

describe('a worker started under another QUEUE_SHARDS than the queued jobs', () => {
  test('says which queues hold jobs it will not consume, and how many', async ({ harness, redisUrl, queueName }) => {
    const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
    const shards = createTaskQueue(redis, {
      queueName,
      // One queue under its plain name; the worker below spreads over 2 shards, none of them it.
      shards: 1,
      retry: RETRY,
      catalog: createDemoCatalog({ failureRate: 0, workMs: 0 }),
      defaultBatchSize: 100,
    });
    try {
      for (const task of demoTasks(10)) await shards.enqueue([task], Date.now());
      const worker = await harness.startWorker({ QUEUE_SHARDS: '2' });
      const line = await worker.waitForOutput(/jobs wait in queues no worker consumes/);
      const logged = JSON.parse(line) as {
        stranded: ReadonlyArray<{ name: string; jobs: number }>;
        queueShards: number;
      };
      expect(logged.queueShards).toBe(2);
      expect(shardQueueNames({ queueName, shards: 2, cluster: false })).not.toContain(queueName);
      expect(logged.stranded).toEqual([{ name: queueName, jobs: 10 }]);
    } finally {
      await shards.close();
      redis.disconnect();
    }
  });
});
