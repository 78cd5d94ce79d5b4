import { test as base } from '@sluice/testkit';
import { Migrator, sql, type Kysely } from 'kysely';
import { describe, expect } from 'vitest';
import { createDb } from '../create-db.js';
import { migrateToLatest } from '../migrate-to-latest.js';
import type { Database } from '../schema.js';
import { listPartitions } from '../sql/list-partitions.js';
import { createStore } from '../store.js';
import { finishedTask, finishedTasks, groupOf } from '../test-groups.js';
import { migrationProvider } from './migration-provider.js';

/** A database migrated only up to the schema before partitions, as an upgrade finds it. */
const test = base.extend<{ readonly db: Kysely<Database> }>({
  db: async ({ databaseUrl }, use) => {
    const db = createDb(databaseUrl, { poolSize: 2 });
    await new Migrator({ db, provider: migrationProvider }).migrateTo('0003-add-batches-group-key');
    await use(db);
    await db.destroy();
  },
});

const KEYED_ID = '5f0c2a9e-1d3b-8c47-9a21-6e4d0b7c3f18'; // a version 8 id, as an Idempotency-Key makes

/**
 * Rows as the unpartitioned schema holds them, written as its commit wrote them (today's commit
 * needs the new key): 3 batches over a year, 71 tasks, one of them keyed.
 */
const seed = async (db: Kysely<Database>) => {
  const groups = [
    groupOf(finishedTasks(40, (i) => ({ submittedAt: new Date(Date.UTC(2025, 0, 1, 0, 0, i)) }))),
    groupOf(finishedTasks(30, (i) => ({ submittedAt: new Date(Date.UTC(2025, 6, 1, 0, 0, i)), status: 'FAILED' }))),
    groupOf([finishedTask({ id: KEYED_ID, submittedAt: new Date(Date.now() - 60_000) })], { trigger: 'timeout' }),
  ];
  for (const { batch, tasks } of groups) {
    const completed = tasks.filter((task) => task.status === 'COMPLETED').length;
    await sql`
      INSERT INTO batches (id, worker_id, task_type, size, completed, failed, retried, duplicates,
                           trigger, opened_at, flushed_at, committed_at, handler_ms, commit_ms)
      VALUES (${batch.id}, ${batch.workerId}, 'EMAIL', ${tasks.length}, ${completed}, ${tasks.length - completed}, 0, 0,
              ${batch.trigger}, ${batch.openedAt}, ${batch.flushedAt}, ${tasks[0]?.submittedAt}, 1, 1)
    `.execute(db);
    for (const task of tasks) {
      await sql`
        INSERT INTO tasks (id, task_type, payload, status, result, error, attempts, submitted_at, committed_at, batch_id)
        VALUES (${task.id}, 'EMAIL', ${JSON.stringify(task.payload)}, ${task.status}, ${JSON.stringify(task.result)},
                ${task.status === 'FAILED' ? 'no' : null}, 1, ${task.submittedAt}, ${task.submittedAt}, ${batch.id})
      `.execute(db);
    }
  }
  return groups;
};

const relkinds = async (db: Kysely<Database>) => {
  const { rows } = await sql<{ relname: string; relkind: string }>`
    SELECT relname, relkind::text FROM pg_class WHERE relname IN ('tasks', 'batches', 'tasks_initial', 'batches_initial')
    ORDER BY relname
  `.execute(db);
  return Object.fromEntries(rows.map((row) => [row.relname, row.relkind]));
};

describe('0004-partition-tasks-and-batches, on a database with rows', () => {
  test('keeps every row, readable as before, in the initial partitions of the now partitioned tables', async ({
    db,
  }) => {
    const groups = await seed(db);
    const store = createStore(db);
    const statsBefore = await store.stats();
    const pageBefore = await store.recentBatches({ limit: 10 });

    expect(await migrateToLatest(db)).toEqual(['0004-partition-tasks-and-batches']);

    // p: partitioned table; r: a plain table, here a partition
    expect(await relkinds(db)).toEqual({ batches: 'p', batches_initial: 'r', tasks: 'p', tasks_initial: 'r' });
    const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM ONLY tasks_initial`.execute(db);
    expect(rows[0]?.n).toBe(71);
    const ids = groups.flatMap((group) => group.tasks.map((task) => task.id));
    expect((await store.findTasks(ids)).map((row) => row.id).sort()).toEqual([...ids].sort());
    expect(await store.findTask(KEYED_ID)).toMatchObject({ id: KEYED_ID, status: 'COMPLETED' });
    expect(await store.stats()).toEqual(statsBefore);
    expect(await store.recentBatches({ limit: 10 })).toEqual(pageBefore);
  });

  test('still writes a redelivered old task once, and new tasks into partitions made after the migration', async ({
    db,
  }) => {
    const [first] = await seed(db);
    await migrateToLatest(db, { partitions: { intervalSeconds: 3_600, retentionSeconds: 86_400 } });
    const store = createStore(db);
    const again = first?.tasks.slice(0, 5) ?? [];
    const fresh = finishedTasks(5, () => ({ submittedAt: new Date() }));

    const result = await store.commitGroup(groupOf([...again, ...fresh]));

    expect(result).toMatchObject({ inserted: 5, duplicates: 5 });
    const { tasks, batches } = await listPartitions(db);
    expect(tasks[0]).toMatchObject({ name: 'tasks_initial', from: null });
    expect(batches[0]).toMatchObject({ name: 'batches_initial', from: null });
    // The initial partitions end where the migration ran; hourly ones follow, at least 2 hours ahead.
    expect(tasks.slice(1).every((p, i) => p.from?.getTime() === tasks[i]?.to.getTime())).toBe(true);
    expect(tasks.at(-1)?.to.getTime()).toBeGreaterThanOrEqual(Date.now() + 2 * 3_600_000 - 60_000);
    const { rows } = await sql<{ partition: string; n: number }>`
      SELECT tableoid::regclass::text AS partition, count(*)::int AS n FROM tasks GROUP BY 1 ORDER BY 1
    `.execute(db);
    expect(rows.find((row) => row.partition === 'tasks_initial')?.n).toBe(71);
    expect(rows.filter((row) => row.partition !== 'tasks_initial').reduce((n, row) => n + row.n, 0)).toBe(5);
  });

  test('turns a unique index built beforehand into the primary key instead of building another', async ({ db }) => {
    await seed(db);
    await sql`CREATE UNIQUE INDEX CONCURRENTLY tasks_id_submitted_at_key ON tasks (id, submitted_at)`.execute(db);
    const built = await sql<{ oid: number }>`SELECT 'tasks_id_submitted_at_key'::regclass::oid AS oid`.execute(db);

    await migrateToLatest(db);

    // The same index (PostgreSQL renames it after the constraint it now backs).
    const { rows } = await sql<{ oid: number }>`
      SELECT conindid::oid AS oid FROM pg_constraint WHERE conname = 'tasks_initial_pkey'
    `.execute(db);
    expect(rows).toEqual(built.rows);
  });

  test('goes back to the unpartitioned tables with every row when migrated down', async ({ db }) => {
    await seed(db);
    await migrateToLatest(db);
    await createStore(db).commitGroup(groupOf(finishedTasks(4, () => ({ submittedAt: new Date() }))));

    await new Migrator({ db, provider: migrationProvider }).migrateTo('0003-add-batches-group-key');

    expect(await relkinds(db)).toEqual({ batches: 'r', tasks: 'r' });
    const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM tasks`.execute(db);
    expect(rows[0]?.n).toBe(75);
    expect(await createStore(db).findTask(KEYED_ID)).toMatchObject({ id: KEYED_ID });
  });
});
