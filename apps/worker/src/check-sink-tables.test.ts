import { loadConfig } from '@sluice/config';
import { createDb, migrateToLatest } from '@sluice/store';
import { defineTaskType } from '@sluice/tasks';
import { createLogger } from '@sluice/telemetry';
import { test } from '@sluice/testkit';
import { sql } from 'kysely';
import { describe, expect, vi } from 'vitest';
import { z } from 'zod';
import { SinkTableError } from './sink-table-error.js';
import { startWorker } from './start-worker.js';

const writingTo = (name: string, table: string) =>
  defineTaskType({
    name,
    payload: z.object({ n: z.number() }),
    sink: { table, rows: (task) => [{ task_id: task.id }] },
    handle: async (tasks) => tasks.map(() => ({ ok: true })),
  });

const settings = (redisUrl: string, databaseUrl: string, queueName: string) =>
  loadConfig({
    REDIS_URL: redisUrl,
    DATABASE_URL: databaseUrl,
    QUEUE_NAME: queueName,
    METRICS_PORT: '0',
    LOG_LEVEL: 'error',
  });

describe('the sink tables, checked as a worker starts', () => {
  test('a missing one stops the start, naming the table, the task types that write to it, and what to do', async ({
    redisUrl,
    databaseUrl,
    queueName,
  }) => {
    const db = createDb(databaseUrl, { poolSize: 1 });
    try {
      await migrateToLatest(db);
      await sql`CREATE TABLE page_views (task_id text)`.execute(db);
    } finally {
      await db.destroy();
    }
    const start = startWorker({
      taskTypes: [
        writingTo('PAGE_VIEW', 'page_views'),
        writingTo('CLICK', 'analytics.events'),
        writingTo('SCROLL', 'analytics.events'),
      ],
      config: settings(redisUrl, databaseUrl, queueName),
    });

    const refused = await start.then(
      () => undefined,
      (error: unknown) => error,
    );

    expect(refused).toBeInstanceOf(SinkTableError);
    expect((refused as SinkTableError).missing).toEqual(new Map([['analytics.events', ['CLICK', 'SCROLL']]]));
    expect((refused as Error).message).toBe(
      'sink table "analytics.events" (task type CLICK, SCROLL) does not exist in the database of DATABASE_URL: create it with your own migration before starting the workers (Sluice writes to a sink table but never creates it)',
    );
  });

  test('with every table there, the worker starts', async ({ redisUrl, databaseUrl, queueName }) => {
    const db = createDb(databaseUrl, { poolSize: 1 });
    try {
      await migrateToLatest(db);
      await sql`CREATE TABLE page_views (task_id text)`.execute(db);
    } finally {
      await db.destroy();
    }
    const worker = await startWorker({
      taskTypes: [writingTo('PAGE_VIEW', 'page_views')],
      config: settings(redisUrl, databaseUrl, queueName),
    });
    await worker.close();
  });

  test('a database that does not answer yet is no reason to refuse: the worker starts and says the check was skipped', async ({
    redisUrl,
    queueName,
  }) => {
    const logger = createLogger({ component: 'worker', level: 'error' });
    const warn = vi.spyOn(logger, 'warn');
    // Nothing listens on port 1.
    const worker = await startWorker({
      taskTypes: [writingTo('PAGE_VIEW', 'page_views')],
      config: settings(redisUrl, 'postgres://postgres@127.0.0.1:1/sluice', queueName),
      logger,
    });
    await worker.close();

    expect(warn).toHaveBeenCalledWith(
      'could not check the sink tables at start: the database does not answer',
      expect.objectContaining({ tables: ['page_views'] }),
    );
  });
});
