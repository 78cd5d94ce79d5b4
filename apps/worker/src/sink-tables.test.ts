import { Queue } from 'bullmq';
import { sql } from 'kysely';
import { describe, expect, vi } from 'vitest';
import { z } from 'zod';
import { loadConfig } from '@sluice/config';
import { createDb, createStore, migrateToLatest } from '@sluice/store';
import { defineTaskType, type JobData } from '@sluice/tasks';
import { createLogger } from '@sluice/telemetry';
import { createDatabase, startPostgresServer, test, waitFor } from '@sluice/testkit';
import { waitForSinkTables } from './sink-tables.js';
import { startWorker } from './start-worker.js';
import { submitTasks } from './test-tasks.js';

const PAGE_VIEW = defineTaskType({
  name: 'PAGE_VIEW',
  payload: z.object({ n: z.number() }),
  sink: { table: 'page_views', rows: (task) => [{ task_id: task.id, n: task.payload.n }] },
  handle: async (tasks) => tasks.map(() => ({ ok: true })),
});

const settings = (redisUrl: string, databaseUrl: string, queueName: string) =>
  loadConfig({
    REDIS_URL: redisUrl,
    DATABASE_URL: databaseUrl,
    QUEUE_NAME: queueName,
    METRICS_PORT: '0',
    BATCH_TIMEOUT_MS: '100',
    LOG_LEVEL: 'error',
  });

describe('a worker whose task types have sinks', () => {
  test('takes no job while a sink table is missing, says which and why, and takes them once it exists', async ({
    redisUrl,
    databaseUrl,
    queueName,
  }) => {
    const db = createDb(databaseUrl, { poolSize: 1 });
    const queue = new Queue<JobData>(queueName, { connection: { url: redisUrl } });
    const logger = createLogger({ component: 'worker', level: 'error' });
    const error = vi.spyOn(logger, 'error');
    const info = vi.spyOn(logger, 'info');
    try {
      await migrateToLatest(db);
      const worker = await startWorker({
        taskTypes: [PAGE_VIEW],
        config: settings(redisUrl, databaseUrl, queueName),
        logger,
      });
      try {
        const ids = await submitTasks(
          queue,
          [1, 2, 3].map((n) => ({ taskType: 'PAGE_VIEW', payload: { n } })),
          { maxRetries: 3, backoffDelayMs: 100 },
        );
        await waitFor(() => error.mock.calls.length > 0, { what: 'the missing table logged' });
        expect(error).toHaveBeenCalledWith('sink tables missing: waiting for them before taking jobs', {
          missing: [{ table: 'page_views', taskTypes: ['PAGE_VIEW'] }],
          hint: expect.stringContaining('your own migration'),
        });
        // Not one attempt spent: every job still waits in the queue.
        expect(await queue.getJobCounts('waiting', 'active', 'delayed', 'failed')).toEqual({
          waiting: 3,
          active: 0,
          delayed: 0,
          failed: 0,
        });

        await sql`CREATE TABLE page_views (task_id text, n integer)`.execute(db);

        await waitFor(async () => (await sql<{ n: number }>`SELECT n FROM page_views`.execute(db)).rows.length === 3, {
          what: 'three page_views rows',
        });
        const rows = await db.selectFrom('tasks').select(['id', 'status', 'attempts']).execute();
        expect(rows.map((row) => row.id).sort()).toEqual([...ids].sort());
        expect(rows.every((row) => row.status === 'COMPLETED' && row.attempts === 1)).toBe(true);
        expect(info).toHaveBeenCalledWith('sink tables present: taking jobs', { tables: ['page_views'] });
      } finally {
        await worker.close();
      }
    } finally {
      await queue.close();
      await db.destroy();
    }
  });

  test('waits for a database that does not answer, and close() ends the wait', async ({ redisUrl, queueName }) => {
    const logger = createLogger({ component: 'worker', level: 'error' });
    const warn = vi.spyOn(logger, 'warn');
    // Nothing listens on port 1.
    const worker = await startWorker({
      taskTypes: [PAGE_VIEW],
      config: settings(redisUrl, 'postgres://postgres@127.0.0.1:1/sluice', queueName),
      logger,
    });
    const waiting = 'database does not answer: waiting for it to check the sink tables before taking jobs';
    // Partition maintenance says so too, first: only the sink tables' wait is this spec's.
    await waitFor(() => warn.mock.calls.some((call) => (call as unknown[])[0] === waiting), {
      what: 'the wait logged',
    });

    await worker.close();

    expect(warn).toHaveBeenCalledWith(waiting, expect.objectContaining({ tables: ['page_views'] }));
  });

  test('says at once when the reason changes: the database answers, but the table is missing', async () => {
    const postgres = await startPostgresServer({ durable: false });
    const db = createDb(await createDatabase(postgres.url()), { poolSize: 1, onIdleClientError: () => undefined });
    const logger = createLogger({ component: 'worker', level: 'error' });
    const warn = vi.spyOn(logger, 'warn');
    const error = vi.spyOn(logger, 'error');
    const stop = new AbortController();
    try {
      await postgres.pause();
      const waiting = waitForSinkTables({
        tables: new Map([['page_views', ['PAGE_VIEW']]]),
        store: createStore(db),
        logger,
        signal: stop.signal,
        intervalMs: 100,
        repeatLogMs: 3_600_000,
      });
      await waitFor(() => warn.mock.calls.length > 0, { what: 'the outage logged' });
      await postgres.start();

      // Long before the hour-long repeat: the new reason is news.
      await waitFor(() => error.mock.calls.length > 0, { what: 'the missing table logged', timeoutMs: 30_000 });
      expect(error.mock.calls[0]?.[0]).toBe('sink tables missing: waiting for them before taking jobs');
      stop.abort();
      expect(await waiting).toBe(false);
    } finally {
      stop.abort();
      await db.destroy();
      await postgres.stop();
    }
  });
});
