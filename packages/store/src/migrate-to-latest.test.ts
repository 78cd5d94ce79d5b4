import { test as base } from '@sluice/testkit';
import { Migrator, sql, type Kysely } from 'kysely';
import { describe, expect } from 'vitest';
import { createDb } from './create-db.js';
import { migrateToLatest } from './migrate-to-latest.js';
import { MigrationError } from './migration-error.js';
import { migrationProvider } from './migrations/migration-provider.js';
import type { Database } from './schema.js';

/** Unlike the store fixture's, this database starts with no migration applied. */
const test = base.extend<{ readonly db: Kysely<Database> }>({
  db: async ({ databaseUrl }, use) => {
    const db = createDb(databaseUrl, { poolSize: 1 });
    await use(db);
    await db.destroy();
  },
});

const insertTask = (status: string) =>
  sql`INSERT INTO tasks (id, task_type, status, attempts, submitted_at, committed_at, batch_id)
      VALUES (gen_random_uuid(), 'EMAIL', ${status}, 1, now(), now(), gen_random_uuid())`;

const insertBatch = (trigger: string, counts: { size: number; completed: number }) =>
  sql`INSERT INTO batches (id, worker_id, task_type, size, completed, failed, retried, duplicates,
                           trigger, opened_at, flushed_at, committed_at, handler_ms, commit_ms)
      VALUES (gen_random_uuid(), 'w', 'EMAIL', ${counts.size}, ${counts.completed}, 0, 0, 0,
              ${trigger}, now(), now(), now(), 1, 1)`;

const count = async (db: Kysely<Database>, query: ReturnType<typeof sql<{ n: number }>>) =>
  (await query.execute(db)).rows[0]?.n;

describe('migrateToLatest', () => {
  test('creates the tasks and batches tables on an empty database', async ({ db }) => {
    expect(await migrateToLatest(db)).toEqual([
      '0001-create-tasks-and-batches',
      '0002-allow-pressure-trigger',
      '0003-add-batches-group-key',
      '0004-partition-tasks-and-batches',
    ]);

    const { rows } = await sql<{ table_name: string; column_name: string }>`
      SELECT table_name, column_name FROM information_schema.columns
      WHERE table_schema = 'public' AND table_name IN ('tasks', 'batches')
      ORDER BY table_name, ordinal_position
    `.execute(db);
    const columns = (table: string) => rows.filter((row) => row.table_name === table).map((row) => row.column_name);
    expect(columns('tasks')).toEqual([
      'id',
      'task_type',
      'payload',
      'status',
      'result',
      'error',
      'attempts',
      'submitted_at',
      'started_at',
      'committed_at',
      'batch_id',
    ]);
    expect(columns('batches')).toEqual([
      'id',
      'worker_id',
      'task_type',
      'size',
      'completed',
      'failed',
      'retried',
      'duplicates',
      'trigger',
      'opened_at',
      'flushed_at',
      'committed_at',
      'handler_ms',
      'commit_ms',
      'group_key',
    ]);
    const indexes = await sql<{ indexname: string }>`
      SELECT indexname FROM pg_indexes WHERE tablename = 'tasks' ORDER BY indexname
    `.execute(db);
    expect(indexes.rows.map((row) => row.indexname)).toEqual(['tasks_batch_id_idx', 'tasks_pkey']);
  });

  test('applies nothing when run again, and leaves the data alone', async ({ db }) => {
    await migrateToLatest(db);
    await insertTask('COMPLETED').execute(db);

    expect(await migrateToLatest(db)).toEqual([]);
    expect(await migrateToLatest(db)).toEqual([]);

    expect(await count(db, sql<{ n: number }>`SELECT count(*) AS n FROM tasks`)).toBe(1);
  });

  test('rejects a status, a trigger or batch counts the schema does not allow', async ({ db }) => {
    await migrateToLatest(db);

    await expect(insertTask('DONE').execute(db)).rejects.toMatchObject({
      code: '23514',
      constraint: 'tasks_status_check',
    });
    await expect(insertBatch('manual', { size: 1, completed: 1 }).execute(db)).rejects.toMatchObject({
      code: '23514',
      constraint: 'batches_trigger_check',
    });
    // Every task a group held is accounted for: completed + failed + retried + duplicates = size.
    await expect(insertBatch('size', { size: 3, completed: 1 }).execute(db)).rejects.toMatchObject({
      code: '23514',
      constraint: 'batches_counts_check',
    });
  });

  test('accepts every trigger the batcher releases a group with, pressure included', async ({ db }) => {
    await migrateToLatest(db);

    for (const trigger of ['size', 'timeout', 'pressure', 'shutdown']) {
      await insertBatch(trigger, { size: 1, completed: 1 }).execute(db);
    }

    expect(await count(db, sql<{ n: number }>`SELECT count(*)::int AS n FROM batches`)).toBe(4);
  });

  test('lets a database made by the first migration alone take pressure, keeping its rows', async ({ db }) => {
    const migrator = new Migrator({ db, provider: migrationProvider });
    await migrator.migrateTo('0001-create-tasks-and-batches');
    await insertBatch('timeout', { size: 1, completed: 1 }).execute(db);
    await expect(insertBatch('pressure', { size: 1, completed: 1 }).execute(db)).rejects.toMatchObject({
      constraint: 'batches_trigger_check',
    });

    const { results } = await migrator.migrateTo('0002-allow-pressure-trigger');
    expect(results?.map((result) => [result.migrationName, result.status])).toEqual([
      ['0002-allow-pressure-trigger', 'Success'],
    ]);

    await insertBatch('pressure', { size: 1, completed: 1 }).execute(db);
    const { rows } = await sql<{ trigger: string }>`SELECT trigger FROM batches ORDER BY trigger`.execute(db);
    expect(rows.map((row) => row.trigger)).toEqual(['pressure', 'timeout']);
  });

  test('names the migration that failed, and leaves nothing of it behind', async ({ db }) => {
    // A table in the way makes the first migration fail.
    await sql`CREATE TABLE tasks (id int)`.execute(db);

    const failure = await migrateToLatest(db).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(MigrationError);
    expect(failure).toMatchObject({ migrationName: '0001-create-tasks-and-batches' });
    expect((failure as Error).message).toMatch(
      /migration "0001-create-tasks-and-batches" failed: .*"tasks" already exists/,
    );
    expect(
      await count(
        db,
        sql<{ n: number }>`
        SELECT count(*) AS n FROM information_schema.tables WHERE table_name = 'batches'
      `,
      ),
    ).toBe(0);
  });
});
