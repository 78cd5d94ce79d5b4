import { Kysely, PostgresDialect, sql } from 'kysely';
import { describe, expect } from 'vitest';
import { createPool } from '../create-pool.js';
import { InvalidArgumentError } from '../invalid-argument-error.js';
import { migrateToLatest } from '../migrate-to-latest.js';
import type { Database } from '../schema.js';
import { createStore } from '../store.js';
import { finishedTask, groupOf } from '../test-groups.js';
import { recordStatements } from '../test-statement-log.js';
import { countRows, test } from '../test-store.js';
import type { GroupCommit, TaskRow } from './group-commit.js';

/**
 * The user's own table, as a user's migration would make it: no unique key, no task id column
 * required, a CHECK, a NOT NULL, an identity and a default the sink rows leave out.
 */
const createPageViews = (db: Kysely<Database>, table = 'page_views') =>
  sql`
    CREATE TABLE ${sql.raw(table)} (
      seq bigint GENERATED ALWAYS AS IDENTITY,
      url text NOT NULL,
      views integer CHECK (views >= 0),
      seen_at timestamptz,
      tags text[],
      doc jsonb,
      noted_at timestamptz NOT NULL DEFAULT now()
    )
  `.execute(db);

/** A COMPLETED task writing one page view, its url named after the task. */
const viewing = (overrides: Partial<TaskRow> = {}, row: Record<string, unknown> = {}): TaskRow => {
  const task = finishedTask(overrides);
  return { ...task, sinkRows: [{ url: `/${task.id}`, views: 1, ...row }] };
};

const sinkGroup = (tasks: ReadonlyArray<TaskRow>, sinkTable = 'page_views'): GroupCommit => ({
  ...groupOf(tasks),
  sinkTable,
});

const urls = async (db: Kysely<Database>, table = 'page_views') =>
  (await sql<{ url: string }>`SELECT url FROM ${sql.raw(table)} ORDER BY url`.execute(db)).rows.map((row) => row.url);

describe('commitGroup with a sink', () => {
  test('writes one sink row per newly committed completed task, none for a FAILED one, and none again when the same group is committed twice', async ({
    db,
    store,
  }) => {
    await createPageViews(db);
    const completed = Array.from({ length: 99 }, () => viewing());
    const failed = finishedTask({ status: 'FAILED', result: null, error: 'bounced', attempts: 4 });
    const group = sinkGroup([...completed, failed]);

    const first = await store.commitGroup(group);
    // BullMQ redelivers the whole group after a crash between commit and acknowledgement: a new
    // batch, the same tasks, and a handler that ran again and answered something else.
    const second = await store.commitGroup(
      sinkGroup(
        group.tasks.map((task) => (task.sinkRows ? { ...task, sinkRows: [{ url: 'again', views: 2 }] } : task)),
      ),
    );

    expect(first).toMatchObject({ inserted: 100, duplicates: 0, rejected: [] });
    expect(second).toMatchObject({ inserted: 0, duplicates: 100, written: [] });
    expect(await urls(db)).toEqual(completed.map((task) => `/${task.id}`).sort());
    expect(await countRows(db, 'tasks')).toBe(100);
  });

  test('writes sink rows only for the new tasks of a group that is partly a redelivery', async ({ db, store }) => {
    await createPageViews(db);
    const earlier = Array.from({ length: 3 }, () => viewing());
    await store.commitGroup(sinkGroup(earlier));
    const fresh = Array.from({ length: 2 }, () => viewing());

    const result = await store.commitGroup(sinkGroup([...earlier, ...fresh]));

    expect(result).toMatchObject({ inserted: 2, duplicates: 3 });
    expect(await urls(db)).toEqual([...earlier, ...fresh].map((task) => `/${task.id}`).sort());
  });

  test('writes many rows for one task, and none for a completed task that gives none', async ({ db, store }) => {
    await createPageViews(db);
    const many = { ...finishedTask(), sinkRows: [{ url: '/a' }, { url: '/b' }, { url: '/c' }] };
    const none = { ...finishedTask(), sinkRows: [] };

    await store.commitGroup(sinkGroup([many, none]));

    expect(await urls(db)).toEqual(['/a', '/b', '/c']);
    expect(await countRows(db, 'tasks')).toBe(2);
  });

  test('lets PostgreSQL cast JSON values to the columns: timestamptz, integer, text[], jsonb; a left-out column takes its default', async ({
    db,
    store,
  }) => {
    await createPageViews(db);
    const task = viewing(
      {},
      {
        views: 42,
        seen_at: '2025-01-02T03:04:05.678Z',
        tags: ['a', 'b "quoted"', 'c,d'],
        doc: { nested: [1, 'two', null], emoji: '👩‍👩‍👧' },
      },
    );
    const dated = { ...finishedTask(), sinkRows: [{ url: '/dated', seen_at: new Date('2024-02-29T12:00:00Z') }] };

    await store.commitGroup(sinkGroup([task, dated]));

    const { rows } = await sql<{
      seq: number;
      url: string;
      views: number | null;
      seen_at: Date | null;
      tags: string[] | null;
      doc: unknown;
      noted_at: Date;
      types: string;
    }>`
      SELECT *, pg_typeof(views)::text || ' ' || pg_typeof(seen_at)::text || ' ' || pg_typeof(doc)::text AS types
      FROM page_views ORDER BY url
    `.execute(db);
    expect(rows).toEqual([
      {
        seq: expect.any(Number),
        url: `/${task.id}`,
        views: 42,
        seen_at: new Date('2025-01-02T03:04:05.678Z'),
        tags: ['a', 'b "quoted"', 'c,d'],
        doc: { nested: [1, 'two', null], emoji: '👩‍👩‍👧' },
        noted_at: expect.any(Date),
        types: 'integer timestamp with time zone jsonb',
      },
      {
        seq: expect.any(Number),
        url: '/dated',
        views: null,
        seen_at: new Date('2024-02-29T12:00:00Z'),
        tags: null,
        doc: null,
        noted_at: expect.any(Date),
        types: 'integer timestamp with time zone jsonb',
      },
    ]);
  });

  test('gives each row the defaults of the columns it leaves out, whatever the other rows of its group name', async ({
    db,
    store,
  }) => {
    await sql`CREATE TABLE notes (body text NOT NULL DEFAULT 'empty', kind text NOT NULL DEFAULT 'plain')`.execute(db);
    const rows = [{ body: 'b', kind: 'k' }, { body: 'only body' }, { kind: 'only kind' }, {}];

    await store.commitGroup(sinkGroup([{ ...finishedTask(), sinkRows: rows }], 'notes'));

    const { rows: notes } = await sql<{ body: string; kind: string }>`SELECT * FROM notes ORDER BY body, kind`.execute(
      db,
    );
    expect(notes).toEqual([
      { body: 'b', kind: 'k' },
      { body: 'empty', kind: 'only kind' },
      { body: 'empty', kind: 'plain' },
      { body: 'only body', kind: 'plain' },
    ]);
  });

  test('writes into a schema-qualified table, and a mixed-case one as its name is written', async ({ db, store }) => {
    await sql`CREATE SCHEMA analytics`.execute(db);
    await createPageViews(db, 'analytics.page_views');
    await sql`CREATE TABLE analytics."PageViews" (url text)`.execute(db);

    await store.commitGroup(sinkGroup([viewing({}, { url: '/lower' })], 'analytics.page_views'));
    await store.commitGroup(sinkGroup([{ ...finishedTask(), sinkRows: [{ url: '/mixed' }] }], 'analytics.PageViews'));

    expect(await urls(db, 'analytics.page_views')).toEqual(['/lower']);
    expect(await urls(db, 'analytics."PageViews"')).toEqual(['/mixed']);
  });

  test.for([
    [
      'a NOT NULL column left null',
      { url: null },
      '23502',
      'null value in column "url" of relation "page_views" violates not-null constraint',
    ],
    [
      'a CHECK violation',
      { views: -1 },
      '23514',
      'new row for relation "page_views" violates check constraint "page_views_views_check"',
    ],
    ['a text that is not an integer', { views: 'many' }, '22P02', 'invalid input syntax for type integer: "many"'],
    [
      'a text that is not a time',
      { seen_at: 'yesterday-ish' },
      '22007',
      'invalid input syntax for type timestamp with time zone: "yesterday-ish"',
    ],
  ] as const)(
    'fails only the task whose sink row PostgreSQL refuses (%s), with its message, and the rest land',
    async ([, bad, sqlState, message], { db, store }) => {
      await createPageViews(db);
      const good = Array.from({ length: 9 }, () => viewing());
      const refused = viewing({}, bad);
      const group = sinkGroup([...good.slice(0, 4), refused, ...good.slice(4)]);

      const result = await store.commitGroup(group);

      expect(result.rejected).toEqual([{ id: refused.id, sqlState, message }]);
      expect(result).toMatchObject({ inserted: 10, duplicates: 0 });
      expect(await urls(db)).toEqual(good.map((task) => `/${task.id}`).sort());
      expect(await store.findTask(refused.id)).toMatchObject({
        status: 'FAILED',
        error: `rejected by PostgreSQL (${sqlState}): ${message}`,
        payload: null,
        result: null,
      });
      expect(await store.findBatch(group.batch.id)).toMatchObject({ completed: 9, failed: 1 });
    },
  );

  test('sends a group with a sink in one statement', async ({ databaseUrl }) => {
    const log = recordStatements(createPool(databaseUrl));
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: log.pool }) });
    try {
      await migrateToLatest(db);
      await createPageViews(db);
      log.clear();

      await createStore(db).commitGroup(sinkGroup(Array.from({ length: 100 }, () => viewing())));

      expect(log.sent).toHaveLength(1);
      expect(log.sent[0]?.sql).toMatch(/insert into tasks[\s\S]*insert into "page_views"/i);
      expect(await urls(db)).toHaveLength(100);
    } finally {
      await db.destroy();
    }
  });

  test('writes nothing at all when the sink table does not exist, and says so', async ({ db, store }) => {
    const tasks = [viewing(), viewing()];

    await expect(store.commitGroup(sinkGroup(tasks, 'missing_table'))).rejects.toMatchObject({
      code: '42P01',
      message: 'relation "missing_table" does not exist',
    });
    expect(await countRows(db, 'tasks')).toBe(0);
    expect(await countRows(db, 'batches')).toBe(0);
  });

  test.for([
    ['sinkTable', { sinkTable: 'page_views; DROP TABLE tasks' }],
    ['sinkTable', { sinkTable: 'a.b.c' }],
    ['sinkTable', { sinkTable: '"page_views"' }],
    ['tasks[0].sinkRows', { sinkTable: undefined }],
    ['tasks[1].sinkRows', { failedWithRows: true }],
    ['tasks[0].sinkRows', { rows: [['/a', 1]] }],
    ['tasks[0].sinkRows', { rows: [{ 'url\u0000': '/a' }] }],
  ] as const)(
    'refuses a sink the caller got wrong before sending anything, naming %s',
    async ([field, how], { db, store }) => {
      const first = { ...finishedTask(), sinkRows: 'rows' in how ? how.rows : [{ url: '/a' }] } as TaskRow;
      const second =
        'failedWithRows' in how ? { ...finishedTask({ status: 'FAILED' }), sinkRows: [{ url: '/b' }] } : finishedTask();
      const group: GroupCommit = { ...groupOf([first, second]), sinkTable: 'page_views' };
      const commit = 'sinkTable' in how ? { ...group, sinkTable: how.sinkTable } : group;

      const refusal = await store.commitGroup(commit as GroupCommit).catch((error: unknown) => error);

      expect(refusal).toBeInstanceOf(InvalidArgumentError);
      expect(refusal).toMatchObject({ field });
      expect(await countRows(db, 'tasks')).toBe(0);
    },
  );
});
