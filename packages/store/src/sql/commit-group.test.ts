import { Kysely, PostgresDialect, sql } from 'kysely';
import { describe, expect } from 'vitest';
import { createPool } from '../create-pool.js';
import { InvalidArgumentError } from '../invalid-argument-error.js';
import { migrateToLatest } from '../migrate-to-latest.js';
import type { Database } from '../schema.js';
import { createStore } from '../store.js';
import { finishedTask, finishedTasks, groupOf } from '../test-groups.js';
import { recordStatements } from '../test-statement-log.js';
import { countRows, test } from '../test-store.js';

describe('commitGroup', () => {
  test('writes all 100 task rows and one batch row whose counts match them', async ({ db, store }) => {
    const tasks = finishedTasks(100, (i) =>
      i < 90 ? {} : { status: 'FAILED', result: null, error: `boom ${i}`, attempts: 4 },
    );
    // 105 held: 100 finished and 5 sent back for a retry.
    const group = groupOf(tasks, { size: 105, trigger: 'timeout', handlerMs: 42.25 });

    const result = await store.commitGroup(group);

    expect(result.inserted).toBe(100);
    expect(result.duplicates).toBe(0);
    expect(await countRows(db, 'tasks')).toBe(100);
    expect(await countRows(db, 'batches')).toBe(1);
    const batch = await store.findBatch(group.batch.id);
    expect(batch).toMatchObject({
      id: group.batch.id,
      workerId: 'worker-test',
      taskType: 'EMAIL',
      size: 105,
      completed: 90,
      failed: 10,
      retried: 5,
      duplicates: 0,
      trigger: 'timeout',
      openedAt: group.batch.openedAt,
      flushedAt: group.batch.flushedAt,
      committedAt: result.committedAt,
      handlerMs: 42.25,
    });
    expect(batch?.commitMs).toBeGreaterThanOrEqual(0);
    const failed = await store.findTask(tasks[95]?.id ?? '');
    expect(failed).toMatchObject({ status: 'FAILED', error: 'boom 95', attempts: 4, result: null });
    expect(failed?.batchId).toBe(group.batch.id);
    expect(failed?.committedAt).toEqual(result.committedAt);
  });

  test('sends the 100 task rows to PostgreSQL in exactly one statement', async ({ databaseUrl }) => {
    const log = recordStatements(createPool(databaseUrl));
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: log.pool }) });
    try {
      await migrateToLatest(db);
      const tasks = finishedTasks(100);
      log.clear();

      await createStore(db).commitGroup(groupOf(tasks));

      const statements = log.sent.map((sent) => sent.sql.replace(/\s+/g, ' ').trim());
      const taskWrites = statements.filter((text) => /insert into "?tasks"?/i.test(text));
      expect(taskWrites).toHaveLength(1);
      // Everything else may only be the batch row and transaction control; in fact the
      // batch row rides in the same statement, so nothing else is sent at all.
      const others = statements.filter((text) => !taskWrites.includes(text));
      for (const text of others) {
        expect(text).toMatch(/^(begin|commit|rollback|insert into "?batches"?)/i);
      }
      expect(statements).toHaveLength(1);
      // The single write carried all 100 ids, as one array parameter.
      const parameters = log.sent.find((sent) => /insert into tasks/i.test(sent.sql))?.parameters;
      expect(parameters).toContainEqual(tasks.map((task) => task.id).sort());
      expect(await countRows(db, 'tasks')).toBe(100);
    } finally {
      await db.destroy();
    }
  });

  test('writes nothing twice when the same 100 tasks are committed again', async ({ db, store }) => {
    const tasks = finishedTasks(100);
    const first = groupOf(tasks);
    await store.commitGroup(first);
    const redelivered = groupOf(tasks.map((task) => ({ ...task, result: { second: true } })));

    const result = await store.commitGroup(redelivered);

    expect(result).toMatchObject({ inserted: 0, duplicates: 100 });
    expect(await countRows(db, 'tasks')).toBe(100);
    // The first commit's rows stand untouched.
    const task = await store.findTask(tasks[0]?.id ?? '');
    expect(task?.batchId).toBe(first.batch.id);
    expect(task?.result).toEqual(tasks[0]?.result);
    expect(await store.findBatch(redelivered.batch.id)).toMatchObject({
      size: 100,
      completed: 0,
      failed: 0,
      retried: 0,
      duplicates: 100,
    });
  });

  test('counts a partial overlap: only the new tasks are written', async ({ db, store }) => {
    const earlier = finishedTasks(60);
    await store.commitGroup(groupOf(earlier));
    const overlapping = [...earlier.slice(20), ...finishedTasks(60, () => ({ status: 'FAILED' }))];

    const result = await store.commitGroup(groupOf(overlapping, { size: 100 }));

    expect(result).toMatchObject({ inserted: 60, duplicates: 40 });
    expect(await countRows(db, 'tasks')).toBe(120);
    const { rows } = await sql<{ completed: number; failed: number; duplicates: number }>`
      SELECT completed, failed, duplicates FROM batches ORDER BY id DESC LIMIT 1
    `.execute(db);
    expect(rows).toEqual([{ completed: 0, failed: 60, duplicates: 40 }]);
  });

  test('says which tasks it wrote, in id order and spelled as given: the others already had a row', async ({
    store,
  }) => {
    const earlier = finishedTasks(3);
    await store.commitGroup(groupOf(earlier));
    const shouted = finishedTask({ id: finishedTask().id.toUpperCase() });
    const fresh = finishedTasks(2);

    const result = await store.commitGroup(groupOf([earlier[1], shouted, ...fresh].flatMap((task) => task ?? [])));

    expect(result).toMatchObject({ inserted: 3, duplicates: 1 });
    expect(result.written).toEqual([shouted.id, ...fresh.map((task) => task.id)].sort());
    expect(await store.findTask(shouted.id.toLowerCase())).toMatchObject({ status: 'COMPLETED' });
  });

  test('says which tasks it wrote after isolating a refused row: the stand-in counts, a duplicate does not', async ({
    store,
  }) => {
    const [earlier] = finishedTasks(1);
    await store.commitGroup(groupOf(earlier ? [earlier] : []));
    const good = finishedTasks(4);
    const poison = finishedTask({ payload: { subject: 'bad\u0000' } });

    const result = await store.commitGroup(groupOf([...good, poison, ...(earlier ? [earlier] : [])]));

    expect(result.rejected.map((task) => task.id)).toEqual([poison.id]);
    expect(result).toMatchObject({ inserted: 5, duplicates: 1 });
    expect(result.written).toEqual([...good, poison].map((task) => task.id).sort());
  });

  test('writes a task listed twice in one group once, counting the second as a duplicate', async ({ db, store }) => {
    const task = finishedTask();

    const result = await store.commitGroup(groupOf([task, task]));

    expect(result).toMatchObject({ inserted: 1, duplicates: 1, written: [task.id] });
    expect(await countRows(db, 'tasks')).toBe(1);
  });

  test('records a batch row for a group whose every task went back for a retry', async ({ db, store }) => {
    const group = groupOf([], { size: 100, trigger: 'shutdown' });

    const result = await store.commitGroup(group);

    expect(result).toMatchObject({ inserted: 0, duplicates: 0 });
    expect(await countRows(db, 'tasks')).toBe(0);
    expect(await store.findBatch(group.batch.id)).toMatchObject({
      size: 100,
      completed: 0,
      failed: 0,
      retried: 100,
      trigger: 'shutdown',
    });
  });

  test('commits racing over the same tasks write each task exactly once, without deadlock', async ({ db, store }) => {
    // Each round: four groups share 100 tasks, listed forwards or backwards, plus ten of
    // their own. Listed as given, two such inserts can each hold a row the other waits for.
    for (let round = 0; round < 5; round += 1) {
      const shared = finishedTasks(100);
      const groups = Array.from({ length: 4 }, (_, i) =>
        groupOf([...(i % 2 === 0 ? shared : [...shared].reverse()), ...finishedTasks(10)]),
      );
      // A connection per group is opened first, so the commits really run at the same time.
      await Promise.all(groups.map(() => sql`SELECT pg_sleep(0.05)`.execute(db)));

      const results = await Promise.all(groups.map((group) => store.commitGroup(group)));

      expect(results.reduce((sum, result) => sum + result.inserted, 0)).toBe(100 + 4 * 10);
      expect(results.reduce((sum, result) => sum + result.duplicates, 0)).toBe(3 * 100);
    }
    expect(await countRows(db, 'tasks')).toBe(5 * 140);
  });

  test('round-trips awkward JSON exactly, and keeps null results and payloads as null', async ({ store }) => {
    const awkward = [
      { quote: 'say "hi"', apostrophe: "it's", backslash: 'C:\\temp\\new', both: '\\"' },
      { braces: '{"not": "parsed"}', arrayish: '{1,2}', nullWord: 'NULL', copyNull: '\\N' },
      { control: 'line\nbreak\ttab\rreturn\b\f', empty: '', spaces: '  ' },
      { unicode: 'żółć 日本語 עברית 👩‍👩‍👧 e\u0301', escaped: '\u2028\u2029' },
      { nested: { deeper: { list: [1, 'two', { three: [null, true, false] }], empty: {} } } },
      { numbers: [0, -1, 1.5, 0.1 + 0.2, 1e21, Number.MAX_SAFE_INTEGER, -2.5e-8] },
      ['a top-level array', { inside: true }],
      'a bare string with "quotes" and \\',
      42,
      true,
      [],
      {},
    ];
    const tasks = awkward.map((payload, i) =>
      finishedTask({
        payload,
        result: i % 3 === 0 ? null : { echo: payload },
        error: i % 3 === 0 ? `failed: "${i}" \\ ${'é'}` : null,
        status: i % 3 === 0 ? 'FAILED' : 'COMPLETED',
        startedAt: i % 2 === 0 ? null : new Date(Date.UTC(2025, 0, 2, 3, 4, 5, i)),
      }),
    );
    const bare = finishedTask({ payload: null, result: undefined });

    await store.commitGroup(groupOf([...tasks, bare]));

    for (const task of tasks) {
      const { committedAt, batchId, ...stored } = (await store.findTask(task.id)) ?? {};
      expect(stored).toEqual(task);
      expect(committedAt).toBeInstanceOf(Date);
      expect(batchId).toBeDefined();
    }
    expect(await store.findTask(bare.id)).toMatchObject({ payload: null, result: null });
  });

  test('refuses a batch size smaller than its task list, before writing anything', async ({ db, store }) => {
    const group = groupOf(finishedTasks(3), { size: 2 });

    await expect(store.commitGroup(group)).rejects.toThrow(InvalidArgumentError);
    await expect(store.commitGroup(group)).rejects.toMatchObject({ field: 'batch.size' });
    expect(await countRows(db, 'tasks')).toBe(0);
    expect(await countRows(db, 'batches')).toBe(0);
  });

  test('refuses a payload JSON cannot represent, naming the task', async ({ db, store }) => {
    const task = finishedTask({ payload: { amount: 10n } });

    await expect(store.commitGroup(groupOf([task]))).rejects.toMatchObject({
      name: 'InvalidArgumentError',
      field: `tasks[${task.id}].payload`,
    });
    expect(await countRows(db, 'batches')).toBe(0);
  });

  test('writes no task row when the batch row is rejected', async ({ db, store }) => {
    const first = groupOf(finishedTasks(5));
    await store.commitGroup(first);
    // A constraint of the database's own refuses the batch row: the whole statement must fail.
    await sql`ALTER TABLE batches ADD CONSTRAINT refused_worker CHECK (worker_id <> 'refused')`.execute(db);
    const refused = groupOf(finishedTasks(5), { workerId: 'refused' });

    await expect(store.commitGroup(refused)).rejects.toMatchObject({ code: '23514', constraint: 'refused_worker' });
    expect(await countRows(db, 'tasks')).toBe(5);
  });
});
