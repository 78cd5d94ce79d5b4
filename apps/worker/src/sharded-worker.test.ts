import { once } from 'node:events';
import { Redis } from 'ioredis';
import { describe, expect } from 'vitest';
import { createDemoCatalog, createTaskQueue, shardOf, type TaskQueue } from '@sluice/tasks';
import { waitFor } from '@sluice/testkit';
import { RETRY, test as base } from './test-pipeline.js';
import { demoTasks } from './test-tasks.js';

const SHARDS = 3;

/** The api's side of a queue of 3 shards, on the spec's Redis and queue name. */
const test = base.extend<{ shards: TaskQueue }>({
  shards: async ({ redisUrl, queueName }, use) => {
    const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
    await once(redis, 'ready');
    const queue = createTaskQueue(redis, {
      queueName,
      shards: SHARDS,
      retry: RETRY,
      catalog: createDemoCatalog({ failureRate: 0, workMs: 0 }),
      defaultBatchSize: 100,
    });
    await use(queue);
    await queue.close();
    redis.disconnect();
  },
});

/** Submits `count` single tasks, as POST /api/tasks does: each goes to the shard of its id. */
const submitSingles = async (
  queue: TaskQueue,
  count: number,
  types?: ReadonlyArray<string>,
): Promise<ReadonlyArray<string>> =>
  (await Promise.all(demoTasks(count, types).map((task) => queue.enqueue([task], Date.now())))).flat();

describe('a worker over a queue of 3 shards', () => {
  test('consumes only the shards of WORKER_SHARDS, and another worker the rest', async ({ pipeline, shards }) => {
    const ids = await submitSingles(shards, 300);
    const onShard = (shard: number) => ids.filter((id) => shardOf(id, SHARDS) === shard);
    expect([0, 1, 2].map((shard) => onShard(shard).length).every((count) => count > 0)).toBe(true);

    pipeline.startWorker({ batch: { timeoutMs: 200 }, shards: { count: SHARDS, consumed: [1] } });
    await waitFor(async () => (await pipeline.committedCount()) === onShard(1).length, {
      what: "shard 1's tasks committed",
    });
    const committed = await pipeline.db.selectFrom('tasks').select('id').execute();
    expect(new Set(committed.map(({ id }) => id))).toEqual(new Set(onShard(1)));
    const [zero, two] = await Promise.all([0, 2].map((shard) => shards.queues[shard]!.getWaitingCount()));
    expect([zero, two]).toEqual([onShard(0).length, onShard(2).length]);

    pipeline.startWorker({ batch: { timeoutMs: 200 }, shards: { count: SHARDS, consumed: [0, 2] } });
    await waitFor(async () => (await pipeline.committedCount()) === 300, { what: 'all 300 tasks committed' });
    expect((await shards.counts()).waiting).toBe(0);
  });

  test('fills one group with tasks of several shards, and commits parcels of every shard', async ({
    pipeline,
    shards,
  }) => {
    // 3 requests of 100 EMAIL tasks, each a parcel on the shard it drew, and 60 single SMS tasks
    // spread over all three shards.
    const parcels = (
      await Promise.all([0, 1, 2].map(() => shards.enqueue(demoTasks(100, ['EMAIL']), Date.now())))
    ).flat();
    const singles = await submitSingles(shards, 60, ['SMS']);
    pipeline.startWorker({ batch: { timeoutMs: 300 }, shards: { count: SHARDS, consumed: [0, 1, 2] } });
    await waitFor(async () => (await pipeline.committedCount()) === 360, { what: '360 tasks committed' });

    const rows = await pipeline.db.selectFrom('tasks').select(['id', 'batch_id']).execute();
    expect(new Set(rows.map(({ id }) => id))).toEqual(new Set([...parcels, ...singles]));
    const shardsOfBatch = new Map<string, Set<number>>();
    for (const { id, batch_id } of rows.filter(({ id }) => singles.includes(id))) {
      const seen = shardsOfBatch.get(batch_id) ?? new Set<number>();
      seen.add(shardOf(id, SHARDS));
      shardsOfBatch.set(batch_id, seen);
    }
    expect([...shardsOfBatch.values()].some((seen) => seen.size > 1)).toBe(true);
  });
});
