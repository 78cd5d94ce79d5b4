import { once } from 'node:events';
import { Redis } from 'ioredis';
import { describe, expect } from 'vitest';
import { test as base } from '@sluice/testkit';
import { createDemoCatalog } from './demo-task-types.js';
import { taskIdForKey } from './idempotency.js';
import { EXTRA_TASKS_KEY } from './queue-contract.js';
import { shardOf } from './shard-of.js';
import { shardQueueNames } from './shard-names.js';
import { createTaskQueue, type TaskQueue } from './task-queue.js';

const email = (n: number) => ({ taskType: 'EMAIL', payload: { to: `user${n}@example.com` } });
const catalog = createDemoCatalog({ failureRate: 0, workMs: 0 });
const SHARDS = 4;

const test = base.extend<{ redis: Redis; queue: TaskQueue }>({
  redis: async ({ redisUrl }, use) => {
    const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
    await once(redis, 'ready');
    await use(redis);
    redis.disconnect();
  },
  queue: async ({ redis, queueName }, use) => {
    const queue = createTaskQueue(redis, {
      queueName,
      shards: SHARDS,
      retry: { maxRetries: 3, backoffDelayMs: 60_000 },
      catalog,
      defaultBatchSize: 10,
    });
    await use(queue);
    await queue.close();
  },
});

describe('a TaskQueue of 4 shards on one Redis', () => {
  test('has one BullMQ queue per shard, named as shardQueueNames names them', ({ queue, queueName }) => {
    expect(queue.queues.map(({ name }) => name)).toEqual(
      shardQueueNames({ queueName, shards: SHARDS, cluster: false }),
    );
  });

  test('puts each job on the shard its id routes to, and finds every task wherever it went', async ({ queue }) => {
    const singles = await Promise.all(Array.from({ length: 40 }, (_, n) => queue.enqueue([email(n)], Date.now())));
    // 95 tasks cut into parcels of 10: each parcel is one job, on the shard of its id.
    const bulk = await queue.enqueue(
      Array.from({ length: 95 }, (_, n) => email(100 + n)),
      Date.now(),
    );
    const keyed = taskIdForKey('welcome-ada');
    await queue.enqueue([email(999)], Date.now(), keyed);

    const held = await Promise.all(queue.queues.map((shard) => shard.getWaiting(0, -1)));
    held.forEach((jobs, shard) => {
      for (const job of jobs) expect(shardOf(job.id ?? '', SHARDS)).toBe(shard);
    });
    // 40 singles, 10 parcels and the keyed task: the singles spread over every shard.
    expect(held.flat()).toHaveLength(51);
    expect(held.every((jobs) => jobs.length > 0)).toBe(true);

    // An unkeyed request goes whole to one shard, in one addBulk: all enqueued or none.
    expect(new Set(bulk.map((id) => shardOf(id, SHARDS))).size).toBe(1);
    const ids = [...singles.flat(), ...bulk, keyed];
    const found = await queue.findMany([...ids].reverse());
    expect(found.map(({ id }) => id)).toEqual([...ids].reverse());
    expect((await queue.find(bulk[57] ?? ''))?.payload).toEqual(email(157).payload);
  });

  test('counts the jobs and the waiting tasks of every shard, parcels by their tasks', async ({ queue, redis }) => {
    await queue.enqueue(
      Array.from({ length: 95 }, (_, n) => email(n)),
      Date.now(),
    );
    await queue.enqueue([email(500)], Date.now());
    expect((await queue.counts()).waiting).toBe(11);
    const perShard = await queue.shardCounts();
    expect(perShard).toHaveLength(SHARDS);
    expect(perShard.reduce((sum, counts) => sum + (counts.waiting ?? 0), 0)).toBe(11);
    expect(await queue.waitingTasks()).toBe(96);
    // Each shard counts its own parcels' extra tasks, under its own key.
    const extra = await Promise.all(queue.queues.map((shard) => redis.get(shard.toKey(EXTRA_TASKS_KEY))));
    expect(extra.reduce((sum, count) => sum + Number(count ?? 0), 0)).toBe(95 - 10);
  });
});
