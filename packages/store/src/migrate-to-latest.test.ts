import { sql } from 'kysely';
import { describe, expect } from 'vitest';
import { test } from '@sluice/testkit';
import { createDb } from './create-db.js';
import { migrateToLatest } from './migrate-to-latest.js';
import { MigrationError } from './migration-error.js';

describe('migrateToLatest', () => {
  test('creates the tasks and batches tables on an empty database', async ({ databaseUrl }) => {
    const db = createDb(databaseUrl, { poolSize: 1 });
    try {
      expect(await migrateToLatest(db)).toEqual(['0001-create-tasks-and-batches']);

      const { rows } = await sql<{ table_name: string; column_name: string }>`
        SELECT table_name, column_name FROM information_schema.columns
        WHERE table_schema = 'public' AND table_name IN ('tasks', 'batches')
        ORDER BY table_name, ordinal_position
      `.execute(db);
      const columns = (table: string) =>
        rows.filter((row) => row.table_name === table).map((row) => row.column_name);
      expect(columns('tasks')).toEqual([
        'id', 'task_type', 'payload', 'status', 'result', 'error', 'attempts',
        'submitted_at', 'started_at', 'committed_at', 'batch_id',
      ]);
      expect(columns('batches')).toEqual([
        'id', 'worker_id', 'task_type', 'size', 'completed', 'failed', 'retried', 'duplicates',
        'trigger', 'opened_at', 'flushed_at', 'committed_at', 'handler_ms', 'commit_ms',
      ]);
      const indexes = await sql<{ indexname: string }>`
        SELECT indexname FROM pg_indexes WHERE tablename = 'tasks' ORDER BY indexname
      `.execute(db);
      expect(indexes.rows.map((row) => row.indexname)).toEqual(['tasks_batch_id_idx', 'tasks_pkey']);
    } finally {
      await db.destroy();
    }
  });

  test('applies nothing when run again, and leaves the data alone', async ({ databaseUrl }) => {
    const db = createDb(databaseUrl, { poolSize: 1 });
    try {
      await migrateToLatest(db);
      await sql`INSERT INTO tasks (id, task_type, status, attempts, submitted_at, committed_at, batch_id)
                VALUES (gen_random_uuid(), 'EMAIL', 'COMPLETED', 1, now(), now(), gen_random_uuid())`.execute(db);

      expect(await migrateToLatest(db)).toEqual([]);
      expect(await migrateToLatest(db)).toEqual([]);

      const { rows } = await sql<{ n: number }>`SELECT count(*) AS n FROM tasks`.execute(db);
      expect(rows).toEqual([{ n: 1 }]);
    } finally {
      await db.destroy();
    }
  });

  test('rejects a status or a trigger outside the allowed values', async ({ databaseUrl }) => {
    const db = createDb(databaseUrl, { poolSize: 1 });
    try {
      await migrateToLatest(db);
      await expect(
        sql`INSERT INTO tasks (id, task_type, status, attempts, submitted_at, committed_at, batch_id)
            VALUES (gen_random_uuid(), 'EMAIL', 'DONE', 1, now(), now(), gen_random_uuid())`.execute(db),
      ).rejects.toMatchObject({ code: '23514', constraint: 'tasks_status_check' });
      await expect(
        sql`INSERT INTO batches (id, worker_id, task_type, size, completed, failed, retried, duplicates,
                                 trigger, opened_at, flushed_at, committed_at, handler_ms, commit_ms)
            VALUES (gen_random_uuid(), 'w', 'EMAIL', 1, 1, 0, 0, 0, 'manual', now(), now(), now(), 1, 1)`.execute(db),
      ).rejects.toMatchObject({ code: '23514', constraint: 'batches_trigger_check' });
    } finally {
      await db.destroy();
    }
  });

  test('names the migration that failed', async ({ databaseUrl }) => {
    const db = createDb(databaseUrl, { poolSize: 1 });
    try {
      // A table in the way makes the first migration fail.
      await sql`CREATE TABLE tasks (id int)`.execute(db);

      const failure = await migrateToLatest(db).catch((error: unknown) => error);

      expect(failure).toBeInstanceOf(MigrationError);
      expect(failure).toMatchObject({ migrationName: '0001-create-tasks-and-batches' });
      expect(String((failure as Error).message)).toMatch(
        /migration "0001-create-tasks-and-batches" failed: .*"tasks" already exists/,
      );
      // The failed migration left nothing behind: batches was never created.
      const { rows } = await sql<{ n: number }>`
        SELECT count(*) AS n FROM information_schema.tables WHERE table_name = 'batches'
      `.execute(db);
      expect(rows).toEqual([{ n: 0 }]);
    } finally {
      await db.destroy();
    }
  });
});
