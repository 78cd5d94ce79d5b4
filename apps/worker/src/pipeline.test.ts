import { describe, expect } from 'vitest';
import { waitFor } from '@sluice/testkit';
import { RETRY, test } from './test-pipeline.js';
import { demoTasks } from './test-tasks.js';

describe('the batching pipeline', () => {
  test('commits 500 tasks of three types as COMPLETED rows, in groups of at most 100', async ({ pipeline }) => {
    pipeline.startWorker({ batch: { timeoutMs: 500 } });
    const ids = await pipeline.submit(demoTasks(500));
    await waitFor(async () => (await pipeline.committedCount()) === 500, { what: '500 rows committed' });
    const rows = await pipeline.db.selectFrom('tasks').select(['id', 'status', 'attempts']).execute();
    expect(new Set(rows.map((r) => r.id))).toEqual(new Set(ids));
    expect(rows.every((r) => r.status === 'COMPLETED' && r.attempts === 1)).toBe(true);
    const batches = await pipeline.db.selectFrom('batches').select(['size', 'task_type', 'completed']).execute();
    expect(batches.every((b) => b.size <= 100 && b.size === b.completed)).toBe(true);
    expect(batches.reduce((sum, b) => sum + b.size, 0)).toBe(500);
    expect(new Set(batches.map((b) => b.task_type))).toEqual(new Set(['EMAIL', 'SMS', 'PUSH']));
  });

  test('fills groups released by size with exactly 100 tasks each under a 10,000-task load', async ({ pipeline }) => {
    await pipeline.submit(demoTasks(10_000));
    pipeline.startWorker({ batch: { timeoutMs: 5_000 } });
    await waitFor(async () => (await pipeline.committedCount()) === 10_000, {
      what: '10,000 rows committed',
      timeoutMs: 120_000,
    });
    const batches = await pipeline.db.selectFrom('batches').select(['size', 'trigger']).execute();
    const bySize = batches.filter((b) => b.trigger === 'size');
    expect(bySize.length).toBeGreaterThanOrEqual(96);
    expect(bySize.every((b) => b.size === 100)).toBe(true);
    expect(batches.reduce((sum, b) => sum + b.size, 0)).toBe(10_000);
  });

  test('commits a task submitted alone by the timeout trigger, no sooner than the timeout after it reached the worker', async ({
    pipeline,
  }) => {
    const timeoutMs = 1_500;
    pipeline.startWorker({ batch: { timeoutMs } });
    const [id] = await pipeline.submit(demoTasks(1, ['SMS']));
    const task = await waitFor(
      () => pipeline.db.selectFrom('tasks').selectAll().where('id', '=', id!).executeTakeFirst(),
      { what: 'the task committed' },
    );
    const batch = await pipeline.db
      .selectFrom('batches')
      .selectAll()
      .where('id', '=', task.batch_id)
      .executeTakeFirstOrThrow();
    expect(batch.trigger).toBe('timeout');
    expect(batch.size).toBe(1);
    expect(task.started_at).not.toBeNull();
    // started_at is when BullMQ handed the job to the worker; the group may not leave before the timeout.
    expect(batch.flushed_at.getTime() - task.started_at!.getTime()).toBeGreaterThanOrEqual(timeoutMs);
    expect(task.committed_at.getTime() - task.started_at!.getTime()).toBeGreaterThanOrEqual(timeoutMs);
  });

  test('retries a task that fails twice and commits it COMPLETED on its third attempt', async ({ pipeline }) => {
    pipeline.startWorker({ batch: { timeoutMs: 100 } });
    const [id] = await pipeline.submit([
      { taskType: 'EMAIL', payload: { to: 'a@example.com', simulate: { failAttempts: 2 } } },
    ]);
    const task = await waitFor(
      () => pipeline.db.selectFrom('tasks').selectAll().where('id', '=', id!).executeTakeFirst(),
      { what: 'task committed' },
    );
    expect(task.status).toBe('COMPLETED');
    expect(task.attempts).toBe(3);
    expect(task.result).toMatchObject({ to: 'a@example.com' });
    expect(await pipeline.committedCount()).toBe(1);
  });

  test('fails a task that always fails after BATCH_MAX_RETRIES + 1 attempts with growing delays, into the failed set', async ({
    pipeline,
  }) => {
    const worker = pipeline.startWorker({ batch: { timeoutMs: 50 } });
    const startedAt: number[] = [];
    worker.worker.on('active', () => startedAt.push(Date.now()));
    const [id] = await pipeline.submit([
      { taskType: 'PUSH', payload: { deviceToken: 'd', title: 't', simulate: { fail: 'retryable' } } },
    ]);
    const task = await waitFor(
      () => pipeline.db.selectFrom('tasks').selectAll().where('id', '=', id!).executeTakeFirst(),
      { what: 'FAILED row' },
    );
    expect(task.status).toBe('FAILED');
    expect(task.attempts).toBe(RETRY.maxRetries + 1);
    expect(task.error).toBe('simulated failure on attempt 4');
    const job = await pipeline.failedJob(id!);
    expect(job.attemptsMade).toBe(RETRY.maxRetries + 1);
    expect(job.failedReason).toBe('simulated failure on attempt 4');
    // Exponential backoff: each retry waits at least backoffDelayMs × 2^(n-1), so the gaps grow.
    expect(startedAt).toHaveLength(4);
    const gaps = startedAt.slice(1).map((t, n) => t - startedAt[n]!);
    gaps.forEach((gap, n) => {
      expect(gap).toBeGreaterThanOrEqual(RETRY.backoffDelayMs * 2 ** n);
    });
    expect(gaps[2]!).toBeGreaterThan(gaps[0]!);
  });

  test('fails a task permanently on its first attempt when its handler says not to retry', async ({ pipeline }) => {
    pipeline.startWorker({ batch: { timeoutMs: 50 } });
    const [id] = await pipeline.submit([
      { taskType: 'EMAIL', payload: { to: 'a@example.com', simulate: { fail: 'permanent' } } },
    ]);
    const task = await waitFor(
      () => pipeline.db.selectFrom('tasks').selectAll().where('id', '=', id!).executeTakeFirst(),
      { what: 'FAILED row' },
    );
    expect(task).toMatchObject({ status: 'FAILED', attempts: 1, error: 'simulated permanent failure' });
    const job = await pipeline.failedJob(id!);
    expect(job.attemptsMade).toBe(1);
  });

  test('isolates rows PostgreSQL rejects: the rest of the group commits, the poison tasks fail without retry', async ({
    pipeline,
  }) => {
    // The api refuses NUL characters; a job put on the queue by other means reaches the store.
    const poison = new Set([7, 48, 91]);
    const tasks = Array.from({ length: 100 }, (_, n) => ({
      taskType: 'EMAIL',
      payload: { to: `user${n}@example.com`, subject: poison.has(n) ? `bad\u0000${n}` : `ok ${n}` },
    }));
    const worker = pipeline.startWorker({ batch: { timeoutMs: 60_000 } });
    const ids = await pipeline.submit(tasks);
    await waitFor(async () => (await pipeline.committedCount()) === 100, { what: '100 rows' });
    const rows = await pipeline.db
      .selectFrom('tasks')
      .select(['id', 'status', 'error', 'payload', 'attempts'])
      .execute();
    const failed = rows.filter((row) => row.status === 'FAILED');
    expect(rows.filter((row) => row.status === 'COMPLETED')).toHaveLength(97);
    expect(failed.map((row) => row.id).sort()).toEqual([...poison].map((n) => ids[n]!).sort());
    for (const row of failed) {
      expect(row.error).toMatch(/^rejected by PostgreSQL \(22P05\): unsupported Unicode escape sequence/);
      expect(row.payload).toBeNull();
      expect(row.attempts).toBe(1);
    }
    await waitFor(async () => (await pipeline.queue.getFailedCount()) === 3, { what: '3 jobs in the failed set' });
    const jobs = await pipeline.queue.getFailed();
    expect(
      jobs.every((job) => job.attemptsMade === 1 && /^rejected by PostgreSQL \(22P05\)/.test(job.failedReason)),
    ).toBe(true);
    // The other 97 were acknowledged (and, completed, removed): nothing else is left in the queue.
    await waitFor(async () => (await pipeline.queue.getJobCountByTypes('waiting', 'active', 'delayed')) === 0, {
      what: 'the 97 good jobs acknowledged',
    });
    await worker.close();
  });

  test('commits an open group when the worker closes, with the shutdown trigger', async ({ pipeline }) => {
    const worker = pipeline.startWorker({ batch: { timeoutMs: 60_000 } });
    await pipeline.submit(demoTasks(30, ['EMAIL']));
    await waitFor(() => worker.snapshot.heldItems === 30, { what: '30 jobs held in an open group' });
    await worker.close();
    expect(await pipeline.committedCount()).toBe(30);
    const batches = await pipeline.db.selectFrom('batches').select(['trigger', 'size']).execute();
    expect(batches).toEqual([{ trigger: 'shutdown', size: 30 }]);
    expect(await pipeline.queue.getActiveCount()).toBe(0);
  });
});
