import { once } from 'node:events';
import { Redis } from 'ioredis';
import { describe, expect } from 'vitest';
import { test as base } from '@sluice/testkit';
import { createDemoCatalog } from './demo-task-types.js';
import { shardQueueNames } from './shard-names.js';
import { strandedQueues } from './stranded-queues.js';
import { createTaskQueue } from './task-queue.js';

const catalog = createDemoCatalog({ failureRate: 0, workMs: 0 });
const email = (n: number) => ({ taskType: 'EMAIL', payload: { to: `user${n}@example.com` } });

const test = base.extend<{ redis: Redis }>({
  redis: async ({ redisUrl }, use) => {
    const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
    await once(redis, 'ready');
    await use(redis);
    redis.disconnect();
  },
});

/** Enqueues `count` single tasks over `shards` shards of `queueName`. */
const enqueue = async (redis: Redis, queueName: string, shards: number, count: number) => {
  const queue = createTaskQueue(redis, {
    queueName,
    shards,
    retry: { maxRetries: 0, backoffDelayMs: 0 },
    catalog,
    defaultBatchSize: 100,
  });
  for (let n = 0; n < count; n += 1) await queue.enqueue([email(n)], Date.now());
  await queue.close();
};

describe('strandedQueues', () => {
  test('finds the shards of another QUEUE_SHARDS that still hold jobs, and nothing under the current one', async ({
    redis,
    queueName,
  }) => {
    await enqueue(redis, queueName, 2, 40);
    const two = shardQueueNames({ queueName, shards: 2, cluster: false });
    const three = shardQueueNames({ queueName, shards: 3, cluster: false });
    expect(await strandedQueues(redis, queueName, two)).toEqual([]);

    // A shard can keep its name under another count (its tag still in its new slice): only the
    // others are stranded.
    const gone = two.filter((name) => !three.includes(name)).sort();
    const stranded = await strandedQueues(redis, queueName, three);
    expect(stranded.map(({ name }) => name)).toEqual(gone);
    const held = await Promise.all(gone.map(async (name) => (await redis.llen(`bull:${name}:wait`)) as number));
    expect(stranded.map(({ jobs }) => jobs)).toEqual(held);
    // With no queue current, both shards are stranded, with all 40 jobs.
    const all = await strandedQueues(redis, queueName, []);
    expect(all.map(({ name }) => name)).toEqual([...two].sort());
    expect(all.reduce((sum, { jobs }) => sum + jobs, 0)).toBe(40);
  });

  test('finds the plain queue once the tasks are sharded, and leaves other queue names alone', async ({
    redis,
    queueName,
  }) => {
    await enqueue(redis, queueName, 1, 3);
    await enqueue(redis, `${queueName}-other`, 1, 2);
    const stranded = await strandedQueues(redis, queueName, shardQueueNames({ queueName, shards: 2, cluster: false }));
    expect(stranded).toEqual([{ name: queueName, jobs: 3 }]);
    // Clean up the other queue: the fixture deletes only the test's own.
    const keys = await redis.keys(`bull:${queueName}-other:*`);
    if (keys.length > 0) await redis.del(...keys);
  });
});
