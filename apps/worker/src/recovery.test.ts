import { Redis } from 'ioredis';
import { describe, expect } from 'vitest';
import { createDb, migrateToLatest } from '@sluice/store';
import { createDatabase, startNodeProcess, startPostgresServer, startRedisServer, waitFor } from '@sluice/testkit';
import { pendingJobs, RETRY, test, WORKER_MAIN } from './test-processes.js';
import { countRows, demoTasks, submitTasks } from './test-tasks.js';

describe('recovery from worker crashes', () => {
  test('a worker SIGKILLed while it holds an open group: another worker commits every task exactly once', async ({
    harness,
  }) => {
    const first = await harness.startWorker({ BATCH_TIMEOUT_MS: '60000' });
    const ids = await submitTasks(harness.queue, demoTasks(50, ['EMAIL']), RETRY);
    await waitFor(async () => (await harness.queue.getActiveCount()) === 50, {
      what: '50 jobs held by the first worker',
    });
    first.kill('SIGKILL');
    expect((await first.exited).signal).toBe('SIGKILL');
    expect(await countRows(harness.db)).toBe(0);

    await harness.startWorker();
    // Completed jobs are removed at once: done means 50 rows and nothing left in the queue.
    await waitFor(async () => (await countRows(harness.db)) === 50 && (await pendingJobs(harness.queue)) === 0, {
      what: '50 rows committed and every job acknowledged',
    });
    const rows = await harness.db.selectFrom('tasks').select(['id', 'status']).execute();
    expect(rows.map((row) => row.id).sort()).toEqual([...ids].sort());
    expect(rows.every((row) => row.status === 'COMPLETED')).toBe(true);
    const batches = await harness.db.selectFrom('batches').select(['worker_id', 'size', 'duplicates']).execute();
    expect(batches.every((batch) => batch.worker_id === 'worker-2' && batch.duplicates === 0)).toBe(true);
    expect(batches.reduce((sum, batch) => sum + batch.size, 0)).toBe(50);
  });

  test('a crash after commit and before acknowledgement: one row per task, and the re-run counts its duplicates', async ({
    harness,
  }) => {
    const crashing = await harness.startWorker({ FAULT_INJECTION: 'crash-after-commit' });
    const ids = await submitTasks(harness.queue, demoTasks(20, ['SMS']), RETRY);
    expect((await crashing.exited).signal).toBe('SIGKILL');
    expect(await countRows(harness.db)).toBe(20);
    // Committed but never acknowledged: every job is still active, its lock held by the dead worker.
    expect(await harness.queue.getActiveCount()).toBe(20);

    const second = await harness.startWorker({ METRICS_PORT: '0' });
    await waitFor(async () => (await pendingJobs(harness.queue)) === 0, {
      what: 'the 20 jobs acknowledged by the second worker',
    });
    expect(await harness.queue.getFailedCount()).toBe(0);
    const rows = await harness.db.selectFrom('tasks').select(['id', 'batch_id']).execute();
    expect(rows.map((row) => row.id).sort()).toEqual([...ids].sort());
    const batches = await harness.db
      .selectFrom('batches')
      .select(['worker_id', 'size', 'completed', 'duplicates'])
      .orderBy('id')
      .execute();
    expect(batches[0]).toMatchObject({ worker_id: 'worker-1', size: 20, completed: 20, duplicates: 0 });
    const rerun = batches.slice(1);
    expect(rerun.every((batch) => batch.worker_id === 'worker-2' && batch.completed === 0)).toBe(true);
    expect(rerun.reduce((sum, batch) => sum + batch.duplicates, 0)).toBe(20);
    // The worker's own account agrees with the batch rows: every re-run task was skipped as a duplicate.
    expect(harness.commits(second).reduce((sum, commit) => sum + commit.duplicates, 0)).toBe(20);
    // …and so does its skipped-duplicates counter on its own /metrics.
    const started = JSON.parse(await second.waitForOutput(/"worker started"/)) as { metricsPort: number };
    const metrics = await (await fetch(`http://127.0.0.1:${started.metricsPort}/metrics`)).text();
    expect(metrics).toMatch(/^sluice_duplicates_skipped_total\{task_type="SMS"\} 20$/m);
  });

  test('SIGTERM with an open group commits that group before the process exits', async ({ harness }) => {
    const worker = await harness.startWorker({ BATCH_TIMEOUT_MS: '60000' });
    await submitTasks(harness.queue, demoTasks(30, ['PUSH']), RETRY);
    await waitFor(async () => (await harness.queue.getActiveCount()) === 30, { what: '30 jobs held' });
    worker.kill('SIGTERM');
    expect(await worker.exited).toEqual({ code: 0, signal: null });
    expect(await countRows(harness.db)).toBe(30);
    const batches = await harness.db.selectFrom('batches').select(['trigger', 'size']).execute();
    expect(batches).toEqual([{ trigger: 'shutdown', size: 30 }]);
    // Every job acknowledged before the exit: none left active, none failed (completed ones are removed).
    expect(await pendingJobs(harness.queue)).toBe(0);
    expect(await harness.queue.getFailedCount()).toBe(0);
  });
});

describe('outages', () => {
  test('PostgreSQL stopped for 10 s under load: every task is committed once it returns, without spending attempts', async ({
    harness,
    redisUrl,
    queueName,
  }) => {
    const postgres = await startPostgresServer({ durable: false });
    try {
      const databaseUrl = await createDatabase(postgres.url());
      const db = createDb(databaseUrl, { poolSize: 2 });
      await migrateToLatest(db);
      const worker = await harness.startWorker({
        DATABASE_URL: databaseUrl,
        REDIS_URL: redisUrl,
        QUEUE_NAME: queueName,
      });
      const ids = await submitTasks(harness.queue, demoTasks(1_000), RETRY);
      await waitFor(async () => (await countRows(db)) > 0, { what: 'first commits' });

      await db.destroy();
      await postgres.pause();
      ids.push(...(await submitTasks(harness.queue, demoTasks(1_000), RETRY)));
      await new Promise((resolve) => setTimeout(resolve, 10_000));
      await postgres.start();
      ids.push(...(await submitTasks(harness.queue, demoTasks(1_000), RETRY)));

      const after = createDb(databaseUrl, { poolSize: 2 });
      try {
        await waitFor(async () => (await countRows(after)) === 3_000, {
          what: '3,000 rows after the outage',
          timeoutMs: 60_000,
        });
        const rows = await after.selectFrom('tasks').select(['id', 'status', 'attempts']).execute();
        expect(new Set(rows.map((row) => row.id))).toEqual(new Set(ids));
        expect(rows.every((row) => row.status === 'COMPLETED' && row.attempts === 1)).toBe(true);
        expect(await harness.queue.getFailedCount()).toBe(0);
        expect(worker.output()).toMatch(/database unavailable: pausing until it answers/);
        expect(worker.output()).toMatch(/database answers again: taking jobs/);
      } finally {
        await after.destroy();
      }
    } finally {
      await postgres.stop();
    }
  });

  test('refuses to start against a Redis whose eviction policy could drop queued tasks', async ({ harness }) => {
    const redis = await startRedisServer();
    try {
      const admin = new Redis(redis.url);
      await admin.config('SET', 'maxmemory-policy', 'allkeys-lru');
      admin.disconnect();
      const worker = startNodeProcess(WORKER_MAIN, {
        REDIS_URL: redis.url,
        DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none',
      });
      expect((await worker.exited).code).toBe(1);
      expect(worker.output()).toMatch(/maxmemory-policy is "allkeys-lru", but Sluice needs "noeviction"/);
      expect(await countRows(harness.db)).toBe(0);
    } finally {
      await redis.stop();
    }
  });
});
