import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect } from 'vitest';
import { createDb, type PartitionRange, type PartitionSet, type Store, createStore } from '@sluice/store';
import { test, type NodeProcess } from '@sluice/testkit';
import { startTestApi } from './test-api.js';
import { startTestWorker } from './test-worker.js';

const MINUTE = 60_000;
/** PARTITION_INTERVAL=1m, TASK_RETENTION=1m: a partition leaves at most two minutes after it begins. */
const SETTINGS = { intervalSeconds: 60, retentionSeconds: 60 };
/** A demo task that fails is retried after this: by then its partition has been dropped. */
const BACKOFF_MS = 150_000;
/** Bulk requests of this many tasks, one every REQUEST_EVERY_MS: 100 tasks/s. */
const PER_REQUEST = 20;
const REQUEST_EVERY_MS = 200;

interface Accepted {
  readonly id: string;
  /** The client's clock just before the request: the api's submittedAt is no earlier (one host). */
  readonly sentAt: number;
}

/** What the spec saw of the partitions, once a second. */
interface PartitionWatch {
  readonly seen: Set<string>;
  /** How far the tasks partitions reached past the moment they were read, at the least. */
  leastAheadMs: number;
  mostTasksPartitions: number;
}

const endOf = (ranges: ReadonlyArray<PartitionRange>): number => Math.max(...ranges.map((range) => range.to.getTime()));

describe('partitions under load, with PARTITION_INTERVAL=1m and TASK_RETENTION=1m', () => {
  test('are created ahead and dropped past the retention; no retained task is lost; the queries answer; a retry that outlives its partition ends as expired', async ({
    redisUrl,
    databaseUrl,
    queueName,
  }) => {
    // The backoff is the api's to give: it enqueues each job with it.
    const api = await startTestApi({
      redisUrl,
      databaseUrl,
      queueName,
      partitions: SETTINGS,
      retry: { maxRetries: 3, backoffDelayMs: BACKOFF_MS },
    });
    const db = createDb(databaseUrl, { poolSize: 2 });
    const store: Store = createStore(db);
    const workers: NodeProcess[] = [];
    const env = { PARTITION_INTERVAL: '1m', TASK_RETENTION: '1m', DEMO_FAILURE_RATE: '0.01' };
    try {
      for (const id of [1, 2]) {
        workers.push(await startTestWorker({ redisUrl, databaseUrl, queueName, env: { ...env, WORKER_ID: `w${id}` } }));
      }
      const accepted: Accepted[] = [];
      const queryFailures: string[] = [];
      const watch: PartitionWatch = { seen: new Set(), leastAheadMs: Number.POSITIVE_INFINITY, mostTasksPartitions: 0 };
      const look = (partitions: PartitionSet): void => {
        for (const range of [...partitions.tasks, ...partitions.batches]) watch.seen.add(range.name);
        watch.leastAheadMs = Math.min(watch.leastAheadMs, endOf(partitions.tasks) - Date.now());
        watch.mostTasksPartitions = Math.max(watch.mostTasksPartitions, partitions.tasks.length);
      };
      look(await store.partitions());

      /** The first failed job whose reason says its partition is gone. */
      const expiredJob = async () => {
        const failed = await api.queue.queues[0]!.getFailed(0, 100);
        return failed.find((job) => job.failedReason.startsWith('its partition is gone'));
      };
      const started = Date.now();
      let expired: Awaited<ReturnType<typeof expiredJob>>;
      let tick = 0;
      while (expired === undefined && Date.now() - started < 4 * MINUTE) {
        const sentAt = Date.now();
        const tasks = Array.from({ length: PER_REQUEST }, (_, n) => ({
          taskType: 'EMAIL',
          payload: { to: `user${tick}-${n}@example.com`, subject: 'soak', body: 'partitions' },
        }));
        const response = await fetch(`${api.url}/api/tasks/batch`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ tasks }),
        });
        expect(response.status).toBe(202);
        const { taskIds } = (await response.json()) as { taskIds: string[] };
        for (const id of taskIds) accepted.push({ id, sentAt });
        tick += 1;
        if (tick % 5 === 0) {
          // Once a second: the partitions, and the queries behind the api's read routes.
          look(await store.partitions());
          const recent = accepted.at(-PER_REQUEST * 10)?.id ?? taskIds[0];
          for (const path of ['/api/tasks/stats', '/api/tasks/batches?limit=20', `/api/tasks/${recent}`]) {
            const answer = await fetch(`${api.url}${path}`);
            if (answer.status !== 200) queryFailures.push(`${path}: ${answer.status}`);
          }
          expired = await expiredJob();
        }
        await sleep(Math.max(0, sentAt + REQUEST_EVERY_MS - Date.now()));
      }

      // A retry that outlived its partition failed for good, saying why, and wrote no row.
      expect(expired?.failedReason).toMatch(
        /^its partition is gone: the task was submitted at \S+, and rows are kept for TASK_RETENTION \(1m\)/,
      );
      const expiredIds =
        ((expired?.data ?? {}) as { tasks?: Array<{ id: string }> }).tasks?.map((task) => task.id) ?? [];
      expect(expiredIds.length).toBeGreaterThan(0);
      expect(await store.findTasks(expiredIds)).toEqual([]);

      // Partitions were always at least a minute ahead, and each one left two minutes after it began.
      const after = await store.partitions();
      look(after);
      expect(watch.leastAheadMs).toBeGreaterThan(MINUTE);
      const dropped = [...watch.seen].filter(
        (name) => !after.tasks.some((r) => r.name === name) && !after.batches.some((r) => r.name === name),
      );
      expect(dropped).toEqual(expect.arrayContaining(['tasks_initial', 'batches_initial']));
      expect(dropped.filter((name) => /^tasks_p\d{8}_\d{6}$/.test(name)).length).toBeGreaterThan(0);
      // Retention + ahead + the partition being filled: never more than that.
      expect(watch.mostTasksPartitions).toBeLessThanOrEqual(1 + 1 + 5 + 2);

      expect(queryFailures).toEqual([]);

      // Every task sent within the retention is still there: committed, or queued for its retry.
      await sleep(2_000);
      const checkedAt = Date.now();
      const retained = accepted.filter((task) => task.sentAt >= checkedAt - SETTINGS.retentionSeconds * 1_000);
      expect(retained.length).toBeGreaterThan(1_000);
      const rows = new Set((await store.findTasks(retained.map((task) => task.id))).map((row) => row.id));
      const missing = retained.filter((task) => !rows.has(task.id));
      for (const task of missing) {
        const answer = await fetch(`${api.url}/api/tasks/${task.id}`);
        expect(answer.status, `task ${task.id}, sent ${new Date(task.sentAt).toISOString()}`).toBe(200);
      }
      // The queued ones are the retries of the 1 % that failed.
      expect(missing.length).toBeLessThan(retained.length * 0.05);
    } finally {
      for (const worker of workers) worker.kill();
      await Promise.all(workers.map((worker) => worker.exited));
      await db.destroy();
      await api.close();
    }
  }, 300_000);
});
