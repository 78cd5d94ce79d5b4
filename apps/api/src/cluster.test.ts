import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect } from 'vitest';
import { loadConfig } from '@sluice/config';
import { createDb, migrateToLatest } from '@sluice/store';
import { demoTaskTypes, shardPlacement, createRedisClient, shardQueueNames } from '@sluice/tasks';
import { startRedisCluster, test, waitFor, type NodeProcess, type RedisCluster } from '@sluice/testkit';
import { startApi, type ApiHandle } from './start-api.js';
import { startTestWorker } from './test-worker.js';

/*
 * Sluice on a real Redis Cluster of 3 primaries (AOF on), the queue in 6 shards: the api in this
 * process, workers as processes of their own, as a deployment runs them.
 */

const SHARDS = 6;
let cluster: RedisCluster;

beforeAll(async () => {
  cluster = await startRedisCluster({ primaries: 3 });
});
afterAll(async () => {
  await cluster?.stop();
});
beforeEach(async () => {
  await cluster.flushAll();
});

/** Settings of every process here: the cluster, the shards, short locks so a killed worker's jobs return in ~3 s. */
const clusterEnv = (queueName: string): Record<string, string> => ({
  REDIS_CLUSTER_NODES: cluster.nodesEnv,
  QUEUE_SHARDS: String(SHARDS),
  QUEUE_NAME: queueName,
  LOCK_DURATION_MS: '2000',
  STALLED_INTERVAL_MS: '1000',
});

const startClusterApi = async (databaseUrl: string, queueName: string): Promise<ApiHandle> => {
  const db = createDb(databaseUrl, { poolSize: 1 });
  await migrateToLatest(db);
  await db.destroy();
  return startApi({
    taskTypes: demoTaskTypes({ failureRate: 0, workMs: 0 }),
    config: loadConfig({ ...clusterEnv(queueName), DATABASE_URL: databaseUrl, PORT: '0', LOG_LEVEL: 'error' }),
    host: '127.0.0.1',
  });
};

const startWorkers = (count: number, databaseUrl: string, queueName: string): Promise<NodeProcess[]> =>
  Promise.all(
    Array.from({ length: count }, (_, n) =>
      startTestWorker({
        // Not used while REDIS_CLUSTER_NODES is set.
        redisUrl: cluster.nodes[0]!.url,
        databaseUrl,
        queueName,
        env: { ...clusterEnv(queueName), WORKER_ID: `cluster-worker-${n + 1}-${randomUUID().slice(0, 4)}` },
      }),
    ),
  );

const email = (n: number) => ({ taskType: 'EMAIL', payload: { to: `user${n}@example.com` } });

/**
 * Sends a bulk request with an Idempotency-Key until it is accepted, as a client that must not
 * lose or double a task does: a 503 (Redis unreachable, or an outcome unknown) is sent again.
 */
const submitUntilAccepted = async (url: string, tasks: ReadonlyArray<unknown>): Promise<ReadonlyArray<string>> => {
  const key = randomUUID();
  return waitFor(
    async () => {
      const response = await fetch(`${url}/api/tasks/batch`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': key },
        body: JSON.stringify({ tasks }),
      }).catch(() => undefined);
      if (response?.status !== 202) return undefined;
      return ((await response.json()) as { taskIds: ReadonlyArray<string> }).taskIds;
    },
    { what: 'a 202 for a bulk request', timeoutMs: 60_000, intervalMs: 200 },
  );
};

const submitOne = async (url: string, n: number): Promise<string> => {
  const response = await fetch(`${url}/api/tasks`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(email(n)),
  });
  expect(response.status).toBe(202);
  return ((await response.json()) as { id: string }).id;
};

const stats = async (url: string) =>
  (await (await fetch(`${url}/api/tasks/stats`)).json()) as {
    readonly queue: { readonly waiting: number; readonly active: number; readonly delayed: number };
  };

/** Rows of `ids` committed, and rows in all. */
const committed = async (databaseUrl: string, ids: ReadonlyArray<string>) => {
  const db = createDb(databaseUrl, { poolSize: 1 });
  try {
    const { rows } = await sql<{ total: string; distinct_ids: string; ours: string }>`
      select count(*) as total, count(distinct id) as distinct_ids,
             count(*) filter (where id = any(${ids}::uuid[])) as ours
      from tasks`.execute(db);
    const [row] = rows;
    return { total: Number(row?.total), distinct: Number(row?.distinct_ids), ours: Number(row?.ours) };
  } finally {
    await db.destroy();
  }
};

/** Script calls (EVAL, EVALSHA and their read-only forms) each primary has run since its stats were reset. */
const scriptCalls = async (): Promise<ReadonlyArray<number>> =>
  Promise.all(
    cluster.nodes.map(async (node) => {
      const redis = new Redis(node.port, node.host, { maxRetriesPerRequest: 1 });
      try {
        const info = await redis.info('commandstats');
        let calls = 0;
        for (const match of info.matchAll(/^cmdstat_(?:evalsha|eval|evalsha_ro|eval_ro|fcall):calls=(\d+)/gm))
          calls += Number(match[1]);
        return calls;
      } finally {
        redis.disconnect();
      }
    }),
  );

describe('on a Redis Cluster of 3 primaries, 6 shards', () => {
  test('commits every task exactly once while workers are SIGKILLed and replaced mid-run', async ({
    databaseUrl,
    queueName,
  }) => {
    const api = await startClusterApi(databaseUrl, queueName);
    const workers: NodeProcess[] = [];
    try {
      const ids: string[] = [];
      for (let n = 0; n < 300; n += 1) ids.push(await submitOne(api.url, n));
      for (let request = 0; request < 12; request += 1)
        ids.push(
          ...(await submitUntilAccepted(
            api.url,
            Array.from({ length: 250 }, (_, n) => email(n)),
          )),
        );
      expect(new Set(ids).size).toBe(3_300);
      // Stats count the jobs of every shard: 300 single tasks and 12 × 3 parcels (100, 100, 50).
      expect(await stats(api.url)).toMatchObject({ queue: { waiting: 336 } });

      workers.push(...(await startWorkers(2, databaseUrl, queueName)));
      // Kill each worker once it has committed something, holding jobs of several shards, and
      // start another in its place; then kill the replacement of the first as well.
      await workers[0]!.waitForOutput(/"group committed"/);
      workers[0]!.kill('SIGKILL');
      workers.push(...(await startWorkers(1, databaseUrl, queueName)));
      await workers[1]!.waitForOutput(/"group committed"/);
      workers[1]!.kill('SIGKILL');
      workers.push(...(await startWorkers(1, databaseUrl, queueName)));
      workers[2]!.kill('SIGKILL');
      workers.push(...(await startWorkers(1, databaseUrl, queueName)));

      await waitFor(async () => (await committed(databaseUrl, ids)).ours === ids.length, {
        what: 'all 3,300 tasks committed',
        timeoutMs: 90_000,
      });
      await waitFor(
        async () => {
          const { queue } = await stats(api.url);
          return queue.waiting + queue.active + queue.delayed === 0;
        },
        { what: 'every shard empty' },
      );
      expect(await committed(databaseUrl, ids)).toEqual({ total: 3_300, distinct: 3_300, ours: 3_300 });
    } finally {
      for (const worker of workers) worker.kill('SIGKILL');
      await Promise.all(workers.map((worker) => worker.exited));
      await api.close();
    }
  });

  test('loses no accepted task when a primary restarts mid-run (AOF on)', async ({ databaseUrl, queueName }) => {
    const api = await startClusterApi(databaseUrl, queueName);
    const workers = await startWorkers(2, databaseUrl, queueName);
    try {
      const ids: string[] = [];
      // Requests go on, 100 tasks each, from before the restart until 10 after it is over, so
      // however fast this machine is, the restart falls within the run.
      let restarted = false;
      let afterRestart = 0;
      const sending = (async () => {
        while (!restarted || afterRestart < 10) {
          if (restarted) afterRestart += 1;
          ids.push(
            ...(await submitUntilAccepted(
              api.url,
              Array.from({ length: 100 }, (_, n) => email(n)),
            )),
          );
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      })();
      await workers[0]!.waitForOutput(/"group committed"/);
      await waitFor(async () => ids.length > 0, { what: 'a request accepted before the restart' });
      const before = ids.length;
      // The primary of shard 0's slot, while requests and commits are under way.
      await cluster.restartNode(0);
      restarted = true;
      await sending;
      expect(before).toBeGreaterThan(0);
      expect(ids.length).toBeGreaterThanOrEqual(before + 1_000);
      const accepted = ids.length;
      expect(new Set(ids).size).toBe(accepted);
      await waitFor(async () => (await committed(databaseUrl, ids)).ours === accepted, {
        what: `all ${accepted} accepted tasks committed`,
        timeoutMs: 90_000,
      });
      expect(await committed(databaseUrl, ids)).toEqual({ total: accepted, distinct: accepted, ours: accepted });
      const health = await fetch(`${api.url}/actuator/health`).then((response) => response.json());
      expect(health).toMatchObject({ status: 'UP', components: { redis: { status: 'UP' } } });
    } finally {
      for (const worker of workers) worker.kill('SIGKILL');
      await Promise.all(workers.map((worker) => worker.exited));
      await api.close();
    }
  });

  test('spreads the shards 2 to a primary, and each primary runs a fair share of the scripts', async ({
    databaseUrl,
    queueName,
  }) => {
    const redis = createRedisClient({ url: '', clusterNodes: cluster.nodes });
    const names = shardQueueNames({ queueName, shards: SHARDS, cluster: true });
    const placement = await shardPlacement(redis, names);
    redis.disconnect();
    expect(placement.map(({ shards }) => shards.length)).toEqual([2, 2, 2]);

    const api = await startClusterApi(databaseUrl, queueName);
    const workers = await startWorkers(2, databaseUrl, queueName);
    try {
      const before = await scriptCalls();
      const ids: string[] = [];
      // Single tasks route by their ids' hash; 20 at a time.
      for (let n = 0; n < 1_500; n += 20)
        ids.push(...(await Promise.all(Array.from({ length: 20 }, (_, k) => submitOne(api.url, n + k)))));
      await waitFor(async () => (await committed(databaseUrl, ids)).ours === ids.length, {
        what: 'all 1,500 tasks committed',
        timeoutMs: 90_000,
      });
      const after = await scriptCalls();
      const calls = after.map((count, node) => count - (before[node] ?? 0));
      const total = calls.reduce((sum, count) => sum + count, 0);
      const shares = calls.map((count) => count / total);
      for (const share of shares) expect(share).toBeGreaterThanOrEqual(0.15);
    } finally {
      for (const worker of workers) worker.kill('SIGKILL');
      await Promise.all(workers.map((worker) => worker.exited));
      await api.close();
    }
  });
});
