import { test as base } from '@sluice/testkit';
import { Kysely, PostgresDialect, sql } from 'kysely';
import { describe, expect } from 'vitest';
import { createDb } from '../create-db.js';
import { createPool } from '../create-pool.js';
import { isDataError } from '../is-data-error.js';
import { isTransientError } from '../is-transient-error.js';
import { migrateToLatest } from '../migrate-to-latest.js';
import type { Database } from '../schema.js';
import { createStore, type Store } from '../store.js';
import { taskRecordColumns, type TaskRecord } from '../task-record.js';
import { finishedTask, finishedTasks, groupOf } from '../test-groups.js';
import { recordStatements, type StatementLog } from '../test-statement-log.js';
import { countRows } from '../test-store.js';
import type { TaskRow } from './group-commit.js';

interface Fixtures {
  /** Every statement the store sends, in order. */
  readonly log: StatementLog;
  /** Kysely over the test's migrated database, through the statement log. */
  readonly db: Kysely<Database>;
  readonly store: Store;
}

const test = base.extend<Fixtures>({
  log: async ({ databaseUrl }, use) => {
    const log = recordStatements(createPool(databaseUrl, { poolSize: 4 }));
    await use(log);
  },
  db: async ({ log }, use) => {
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: log.pool }) });
    await migrateToLatest(db);
    log.clear();
    await use(db);
    await db.destroy();
  },
  store: async ({ db }, use) => {
    await use(createStore(db));
  },
});

const NUL = '\u0000';
/** JSON.stringify keeps NUL as the escape `\u0000`, which jsonb refuses (22P05). */
const nulPayload = { payload: { note: `before${NUL}after` } } as const;
const nulResult = { result: { text: `${NUL}` } } as const;
/** The schema's tasks_attempts_check wants attempts ≥ 0 (23514). */
const negativeAttempts = { attempts: -1 } as const;

const NUL_ESCAPE = { sqlState: '22P05', message: 'unsupported Unicode escape sequence' } as const;
const ATTEMPTS_CHECK = {
  sqlState: '23514',
  // PostgreSQL names the partition the row was routed to: the fixtures' 2025 rows go to tasks_initial.
  message: 'new row for relation "tasks_initial" violates check constraint "tasks_attempts_check"',
} as const;

const byId = (a: { readonly id: string }, b: { readonly id: string }): number =>
  a.id < b.id ? -1 : a.id > b.id ? 1 : 0;

/** `count` finished tasks in id order (the order commitGroup writes them in). */
const sortedTasks = (count: number): ReadonlyArray<TaskRow> => [...finishedTasks(count)].sort(byId);

const allTasks = (db: Kysely<Database>): Promise<ReadonlyArray<TaskRecord>> =>
  db.selectFrom('tasks').select(taskRecordColumns).orderBy('id').execute();

/** The statements sent, whitespace collapsed. */
const sentText = (log: StatementLog): ReadonlyArray<string> =>
  log.sent.map((sent) => sent.sql.replace(/\s+/g, ' ').trim());

const isWrite = (text: string): boolean => /insert into/i.test(text);

/** What a refused task is recorded as: FAILED, no payload, no result, the server's message. */
const standInFor = (task: TaskRow, refusal: { readonly sqlState: string; readonly message: string }) => ({
  ...task,
  payload: null,
  status: 'FAILED',
  result: null,
  error: `rejected by PostgreSQL (${refusal.sqlState}): ${refusal.message}`,
});

/**
 * The subtransaction cache of the first backend found waiting for a lock in this database: how
 * many subtransaction ids its transaction holds (up to 64) and whether it overflowed.
 */
const subtransactionsOfLockWaiter = async (
  admin: Kysely<Database>,
): Promise<{ readonly count: number; readonly overflowed: boolean }> => {
  for (;;) {
    const { rows } = await sql<{ count: number; overflowed: boolean }>`
      SELECT cache.subxact_count AS count, cache.subxact_overflowed AS overflowed
      FROM pg_stat_activity AS activity
      JOIN pg_stat_get_backend_idset() AS backend ON pg_stat_get_backend_pid(backend) = activity.pid
      CROSS JOIN LATERAL pg_stat_get_backend_subxact(backend) AS cache
      WHERE activity.wait_event_type = 'Lock' AND activity.datname = current_database()
    `.execute(admin);
    const [waiter] = rows;
    if (waiter !== undefined) return waiter;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

describe('commitGroup, when PostgreSQL refuses some rows for their data', () => {
  test('writes the 97 good rows of 100 as given and the 3 refused ones as FAILED, in one transaction within 43 writes', async ({
    db,
    log,
    store,
  }) => {
    const given = sortedTasks(100);
    // Spread out, so that the three searches share as little of the halving as they can.
    const poison = new Map<number, Partial<TaskRow>>([
      [7, nulPayload],
      [48, nulResult],
      [91, negativeAttempts],
    ]);
    const tasks = given.map((task, i) => ({ ...task, ...poison.get(i) }));
    const group = groupOf(tasks);

    const result = await store.commitGroup(group);
    const statements = sentText(log);

    expect(result.rejected).toEqual([
      { id: tasks[7]?.id, ...NUL_ESCAPE },
      { id: tasks[48]?.id, ...NUL_ESCAPE },
      { id: tasks[91]?.id, ...ATTEMPTS_CHECK },
    ]);
    expect(result).toMatchObject({ inserted: 100, duplicates: 0 });

    const expected = tasks.map((task, i) => {
      if (i === 91) return { ...standInFor(task, ATTEMPTS_CHECK), attempts: 0 };
      return poison.has(i) ? standInFor(task, NUL_ESCAPE) : task;
    });
    const stored = await allTasks(db);
    expect(stored.map(({ committedAt, batchId, ...row }) => row)).toEqual(expected);
    expect(new Set(stored.map((row) => row.batchId))).toEqual(new Set([group.batch.id]));
    expect(new Set(stored.map((row) => row.committedAt.getTime()))).toEqual(new Set([result.committedAt.getTime()]));
    expect(await store.findBatch(group.batch.id)).toMatchObject({
      size: 100,
      completed: 97,
      failed: 3,
      retried: 0,
      duplicates: 0,
      committedAt: result.committedAt,
    });
    expect(await countRows(db, 'batches')).toBe(1);

    const writes = statements.filter(isWrite);
    expect(writes.length).toBeLessThanOrEqual(1 + 3 * 2 * Math.ceil(Math.log2(100)));
    // The refused one-statement write wrote nothing; everything after it is one transaction.
    expect(isWrite(statements[0] ?? '')).toBe(true);
    expect(statements[1]).toMatch(/^begin$/i);
    expect(statements.at(-1)).toMatch(/^commit$/i);
    const inside = statements.slice(2, -1);
    expect(inside.filter((text) => /^(begin|commit|rollback)$/i.test(text))).toEqual([]);
    expect(inside.filter(isWrite)).toHaveLength(writes.length - 1);
    // The last write carries the three FAILED rows and the batch row together.
    expect(writes.at(-1)).toMatch(/insert into tasks .* insert into batches/i);
  });

  test('stays within 1 + 3 × 2 × ⌈log2 100⌉ writes wherever the 3 bad rows of 100 sit', async ({ log, store }) => {
    const placements = [
      [0, 1, 2],
      [97, 98, 99],
      [0, 50, 99],
      [10, 40, 70],
      [24, 49, 74],
      [33, 66, 99],
      [5, 6, 90],
    ];
    for (const placement of placements) {
      const tasks = sortedTasks(100).map((task, i) => (placement.includes(i) ? { ...task, ...nulPayload } : task));
      log.clear();

      const result = await store.commitGroup(groupOf(tasks));

      expect(result.rejected.map((rejected) => rejected.id)).toEqual(placement.map((i) => tasks[i]?.id));
      expect(sentText(log).filter(isWrite).length, `bad rows at ${placement.join(', ')}`).toBeLessThanOrEqual(43);
    }
  });

  test('records every row as FAILED when every row is refused, each with its own reason', async ({ db, store }) => {
    const faults = {
      nulPayload,
      nulResult,
      nulError: { status: 'FAILED', error: `handler said${NUL}no`, result: null },
      nulTaskType: { taskType: `EM${NUL}AIL` },
      negativeAttempts,
      fractionalAttempts: { attempts: 1.5 },
      // A status the types rule out, as plain JavaScript could still send it.
      unknownStatus: { status: 'DONE' as TaskRow['status'] },
    } satisfies Record<string, Partial<TaskRow>>;
    type Fault = keyof typeof faults;
    const task = Object.fromEntries(
      Object.entries(faults).map(([fault, change]) => [fault, finishedTask(change)]),
    ) as Record<Fault, TaskRow>;
    const invalidUtf8 = { sqlState: '22021', message: 'invalid byte sequence for encoding "UTF8": 0x00' };
    const refusals: Record<Fault, { readonly sqlState: string; readonly message: string }> = {
      nulPayload: NUL_ESCAPE,
      nulResult: NUL_ESCAPE,
      nulError: invalidUtf8,
      nulTaskType: invalidUtf8,
      negativeAttempts: ATTEMPTS_CHECK,
      fractionalAttempts: { sqlState: '22P02', message: 'invalid input syntax for type integer: "1.5"' },
      unknownStatus: {
        sqlState: '23514',
        message: 'new row for relation "tasks_initial" violates check constraint "tasks_status_check"',
      },
    };
    const faultsOf = Object.keys(faults) as Fault[];
    const group = groupOf(
      faultsOf.map((fault) => task[fault]),
      { size: 9 },
    );

    const result = await store.commitGroup(group);

    expect(result).toMatchObject({ inserted: 7, duplicates: 0 });
    expect(result.rejected).toEqual(faultsOf.map((fault) => ({ id: task[fault].id, ...refusals[fault] })).sort(byId));
    // What the store writes itself never carries the NUL that got the row refused.
    const expected = faultsOf.map((fault) => ({
      ...standInFor(task[fault], refusals[fault]),
      ...(fault === 'nulTaskType' ? { taskType: 'EM\uFFFDAIL' } : {}),
      ...(fault === 'negativeAttempts' || fault === 'fractionalAttempts' ? { attempts: 0 } : {}),
    }));
    const stored = await allTasks(db);
    expect(stored.map(({ committedAt, batchId, ...row }) => row)).toEqual(expected.sort(byId));
    expect(await store.findBatch(group.batch.id)).toMatchObject({
      size: 9,
      completed: 0,
      failed: 7,
      retried: 2,
      duplicates: 0,
    });
  });

  test('records a lone refused row as FAILED with two writes: the refused one and the final one', async ({
    db,
    log,
    store,
  }) => {
    const task = finishedTask(nulPayload);
    const group = groupOf([task]);

    const result = await store.commitGroup(group);

    expect(result).toMatchObject({ inserted: 1, duplicates: 0, rejected: [{ id: task.id, ...NUL_ESCAPE }] });
    const { committedAt, batchId, ...stored } = (await allTasks(db))[0] ?? {};
    expect(stored).toEqual(standInFor(task, NUL_ESCAPE));
    expect(await store.findBatch(group.batch.id)).toMatchObject({ size: 1, completed: 0, failed: 1 });
    expect(sentText(log).filter(isWrite)).toHaveLength(2);
  });

  test('counts duplicates among refused and good rows: a refused row already committed stays as it was', async ({
    db,
    store,
  }) => {
    const earlier = sortedTasks(10);
    await store.commitGroup(groupOf(earlier));
    const redelivered = earlier.slice(0, 5);
    // Already committed as COMPLETED; the rerun's result now holds a NUL.
    const rerunRefused = { ...(earlier[5] as TaskRow), ...nulResult };
    const fresh = sortedTasks(20);
    const freshRefused = finishedTasks(2, () => nulPayload);
    // The same refused task listed twice in one group is written once.
    const listedTwice = freshRefused[0] as TaskRow;
    const tasks = [...redelivered, rerunRefused, ...fresh, ...freshRefused, listedTwice];
    const group = groupOf(tasks, { size: tasks.length + 2 });

    const result = await store.commitGroup(group);

    expect(result.inserted).toBe(22);
    expect(result.duplicates).toBe(7);
    expect(result.rejected.map((rejected) => rejected.id)).toEqual(freshRefused.map((task) => task.id).sort());
    expect(await store.findBatch(group.batch.id)).toMatchObject({
      size: 31,
      completed: 20,
      failed: 2,
      retried: 2,
      duplicates: 7,
    });
    expect(await store.findTask(rerunRefused.id)).toMatchObject({ status: 'COMPLETED', result: earlier[5]?.result });
    expect(await countRows(db, 'tasks')).toBe(10 + 20 + 2);
  });

  test("releases each refused attempt's savepoint: 90 refused rows leave the server's subtransaction cache unoverflowed", async ({
    databaseUrl,
    store,
  }) => {
    const admin = createDb(databaseUrl, { poolSize: 2 });
    try {
      // 90 refused rows, then 10 good ones: the search makes well over 64 refused attempts.
      const tasks = sortedTasks(100).map((task, i) => (i < 90 ? { ...task, ...nulPayload } : task));
      // The last refused row is inserted only by the final write, as its FAILED stand-in.
      const blocker = tasks[89] as TaskRow;

      const { cache, result } = await admin.connection().execute(async (holder) => {
        // An uncommitted row with the blocker's id holds the final write back, and with it the
        // isolation's transaction, until we have looked at that transaction from outside.
        await sql`BEGIN`.execute(holder);
        await sql`
          INSERT INTO tasks (id, task_type, status, attempts, submitted_at, committed_at, batch_id)
          VALUES (${blocker.id}::uuid, 'EMAIL', 'COMPLETED', 1, ${blocker.submittedAt}, now(), gen_random_uuid())
        `.execute(holder);
        const committing = store.commitGroup(groupOf(tasks));
        const cache = await subtransactionsOfLockWaiter(admin);
        await sql`ROLLBACK`.execute(holder);
        return { cache, result: await committing };
      });

      expect(result.rejected).toHaveLength(90);
      expect(result).toMatchObject({ inserted: 100, duplicates: 0 });
      // Each savepoint left open nests the next attempt one level deeper; a write at depth d
      // gives every open level a transaction id. Past 64 the cache overflows, and every other
      // session's snapshot then has to look subtransactions up in pg_subtrans.
      expect(cache).toEqual({ overflowed: false, count: expect.any(Number) });
      expect(cache.count).toBeLessThan(64);
    } finally {
      await admin.destroy();
    }
  });

  test("throws the batch row's own refusal (a constraint of batches) and writes nothing", async ({ db, store }) => {
    const first = groupOf(finishedTasks(3));
    await store.commitGroup(first);
    // A refusal checkGroup cannot foresee: a constraint of the database's own.
    await sql`ALTER TABLE batches ADD CONSTRAINT refused_worker CHECK (worker_id <> 'refused')`.execute(db);
    const refused = groupOf([...finishedTasks(5), finishedTask(nulPayload)], { workerId: 'refused' });

    const failure = await store.commitGroup(refused).catch((error: unknown) => error);

    expect(failure).toMatchObject({ code: '23514', constraint: 'refused_worker' });
    expect(await countRows(db, 'tasks')).toBe(3);
    expect(await countRows(db, 'batches')).toBe(1);
  });

  test('writes nothing, and throws an error isTransientError recognises, when the connection is lost mid-way', async ({
    databaseUrl,
    db,
    log,
    store,
  }) => {
    const admin = createDb(databaseUrl, { poolSize: 1 });
    try {
      const tasks = sortedTasks(40).map((task, i) => (i === 3 ? { ...task, ...nulPayload } : task));
      // Made last, so its id sorts last: the search reaches it after writing good rows.
      const blocker = finishedTask();
      const group = groupOf([...tasks, blocker]);

      const failure = await admin
        .transaction()
        .execute(async (holder) => {
          // An uncommitted row with the blocker's id: our insert of it has to wait for this
          // transaction, and while it waits the server ends its session.
          await sql`
          INSERT INTO tasks (id, task_type, status, attempts, submitted_at, committed_at, batch_id)
          VALUES (${blocker.id}::uuid, 'EMAIL', 'COMPLETED', 1, ${blocker.submittedAt}, now(), gen_random_uuid())
        `.execute(holder);
          const committing = store.commitGroup(group).catch((error: unknown) => error);
          for (;;) {
            const { rows } = await sql<{ ended: boolean }>`
            SELECT pg_terminate_backend(pid) AS ended FROM pg_stat_activity
            WHERE wait_event_type = 'Lock' AND datname = current_database()
          `.execute(holder);
            if (rows.some((row) => row.ended)) break;
            await new Promise((resolve) => setTimeout(resolve, 10));
          }
          const error = await committing;
          await sql`ROLLBACK`.execute(holder).catch(() => undefined);
          return error;
        })
        .catch((error: unknown) => error);

      expect(failure).toMatchObject({ code: '57P01' });
      expect(isTransientError(failure)).toBe(true);
      expect(isDataError(failure)).toBe(false);
      // Good rows had gone in under a savepoint before the connection was lost…
      const statements = sentText(log);
      const released = statements.findIndex((text) => /^release savepoint/i.test(text));
      expect(released).toBeGreaterThan(statements.findIndex((text) => /^begin$/i.test(text)));
      // …and none of them, nor any batch row, survived.
      expect(await countRows(db, 'tasks')).toBe(0);
      expect(await countRows(db, 'batches')).toBe(0);
    } finally {
      await admin.destroy();
    }
  });
});
