/**
 * Four ways to write a finished group of tasks to PostgreSQL, which the commit scenario times
 * against each other:
 *
 *   single-row      one autocommit INSERT per task: what a plain worker does (task rows only,
 *                   as the seed service wrote them)
 *   unnest          the store's `commitGroup`: one statement, nine array parameters, the batch
 *                   row written by the same statement. What Sluice runs.
 *   copy            BEGIN; COPY into a temporary table; INSERT … SELECT … ON CONFLICT; COMMIT
 *   json-recordset  one statement reading the rows from one jsonb parameter
 *
 * Each skips ids already written and answers how many rows it wrote. The last two are kept to
 * show why the store uses unnest (DESIGN: keep whichever the benchmark shows faster).
 */
import { once } from 'node:events';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { GroupCommit, Store, TaskRow } from '@sluice/store';
import type { CommitStrategyName } from './bench-result.js';

/** Writes a group, resolving with the rows written. */
export type CommitStrategy = (group: GroupCommit) => Promise<number>;

export interface StrategyEntry {
  readonly name: CommitStrategyName;
  readonly roundTrips: string;
  readonly write: CommitStrategy;
}

const jsonOrNull = (value: unknown): string | null =>
  value === null || value === undefined ? null : JSON.stringify(value);

const singleRow =
  (pool: pg.Pool): CommitStrategy =>
  async (group) => {
    const client = await pool.connect();
    try {
      let inserted = 0;
      for (const task of group.tasks) {
        const result = await client.query(
          `INSERT INTO tasks (id, task_type, payload, status, result, error, attempts,
                              submitted_at, started_at, committed_at, batch_id)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, now(), $10)
           ON CONFLICT (id, submitted_at) DO NOTHING`,
          [
            task.id,
            task.taskType,
            jsonOrNull(task.payload),
            task.status,
            jsonOrNull(task.result),
            task.error,
            task.attempts,
            task.submittedAt,
            task.startedAt,
            group.batch.id,
          ],
        );
        inserted += result.rowCount ?? 0;
      }
      return inserted;
    } finally {
      client.release();
    }
  };

/** The batch-row half of the statement, shared by copy and json-recordset (as the store writes it). */
const BATCH_INSERT = `
  INSERT INTO batches (id, worker_id, task_type, size, completed, failed, retried, duplicates,
                       trigger, opened_at, flushed_at, committed_at, handler_ms, commit_ms)
  SELECT $1::uuid, $2, $3, $4::integer,
         count(*) FILTER (WHERE status = 'COMPLETED'), count(*) FILTER (WHERE status = 'FAILED'),
         $5::integer, $6::integer - count(*),
         $7, $8::timestamptz, $9::timestamptz, now(), $10::double precision,
         1000 * extract(epoch FROM clock_timestamp() - statement_timestamp())
  FROM inserted
  RETURNING completed + failed AS inserted`;

const batchParameters = (group: GroupCommit): unknown[] => [
  group.batch.id,
  group.batch.workerId,
  group.batch.taskType,
  group.batch.size,
  group.batch.size - group.tasks.length,
  group.tasks.length,
  group.batch.trigger,
  group.batch.openedAt,
  group.batch.flushedAt,
  group.batch.handlerMs,
];

/** COPY's text format: `\N` is NULL; backslash, newline, carriage return and tab are escaped. */
const copyField = (value: string | null): string =>
  value === null
    ? '\\N'
    : value.replace(/[\\\n\r\t]/g, (c) => (c === '\\' ? '\\\\' : c === '\n' ? '\\n' : c === '\r' ? '\\r' : '\\t'));

const copyLine = (task: TaskRow): string =>
  `${[
    task.id,
    task.taskType,
    jsonOrNull(task.payload),
    task.status,
    jsonOrNull(task.result),
    task.error,
    String(task.attempts),
    task.submittedAt.toISOString(),
    task.startedAt === null ? null : task.startedAt.toISOString(),
  ]
    .map(copyField)
    .join('\t')}\n`;

const copy = (pool: pg.Pool): CommitStrategy => {
  // A temporary table lives as long as its connection: create it once per connection, and let
  // ON COMMIT DELETE ROWS empty it, rather than pay for CREATE/DROP in every group.
  const prepared = new WeakSet<pg.PoolClient>();
  return async (group) => {
    const client = await pool.connect();
    try {
      if (!prepared.has(client)) {
        await client.query(`
          CREATE TEMPORARY TABLE IF NOT EXISTS incoming (
            id uuid, task_type text, payload jsonb, status text, result jsonb, error text,
            attempts integer, submitted_at timestamptz, started_at timestamptz
          ) ON COMMIT DELETE ROWS`);
        prepared.add(client);
      }
      await client.query('BEGIN');
      try {
        const stream = client.query(copyFrom('COPY incoming FROM STDIN'));
        stream.end(group.tasks.map(copyLine).join(''));
        await once(stream, 'finish');
        const { rows } = await client.query<{ inserted: number }>(
          `WITH inserted AS (
             INSERT INTO tasks (id, task_type, payload, status, result, error, attempts,
                                submitted_at, started_at, committed_at, batch_id)
             SELECT id, task_type, payload, status, result, error, attempts,
                    submitted_at, started_at, now(), $1::uuid
             FROM incoming ORDER BY id
             ON CONFLICT (id, submitted_at) DO NOTHING
             RETURNING status
           )${BATCH_INSERT}`,
          batchParameters(group),
        );
        await client.query('COMMIT');
        return rows[0]?.inserted ?? 0;
      } catch (error) {
        await client.query('ROLLBACK');
        throw error;
      }
    } finally {
      client.release();
    }
  };
};

const jsonRecordset =
  (pool: pg.Pool): CommitStrategy =>
  async (group) => {
    const rows = [...group.tasks]
      .sort((a, b) => (a.id < b.id ? -1 : 1))
      .map((task) => ({
        id: task.id,
        task_type: task.taskType,
        payload: task.payload ?? null,
        status: task.status,
        result: task.result ?? null,
        error: task.error,
        attempts: task.attempts,
        submitted_at: task.submittedAt,
        started_at: task.startedAt,
      }));
    const result = await pool.query<{ inserted: number }>(
      `WITH inserted AS (
         INSERT INTO tasks (id, task_type, payload, status, result, error, attempts,
                            submitted_at, started_at, committed_at, batch_id)
         SELECT id, task_type, payload, status, result, error, attempts,
                submitted_at, started_at, now(), $1::uuid
         FROM jsonb_to_recordset($11::jsonb) AS given (
           id uuid, task_type text, payload jsonb, status text, result jsonb, error text,
           attempts integer, submitted_at timestamptz, started_at timestamptz)
         ON CONFLICT (id, submitted_at) DO NOTHING
         RETURNING status
       )${BATCH_INSERT}`,
      [...batchParameters(group), JSON.stringify(rows)],
    );
    return result.rows[0]?.inserted ?? 0;
  };

/**
 * The four strategies over one connection each: `pool` (max 1) for the hand-written ones, and
 * the store (over its own pool of 1) for unnest.
 *
 * @example
 * for (const strategy of commitStrategies(pool, store, 100)) await strategy.write(sampleGroup(100));
 */
export const commitStrategies = (
  pool: pg.Pool,
  store: Pick<Store, 'commitGroup'>,
  groupSize: number,
): ReadonlyArray<StrategyEntry> => [
  { name: 'single-row', roundTrips: `${groupSize}, autocommit each`, write: singleRow(pool) },
  { name: 'unnest', roundTrips: '1', write: async (group) => (await store.commitGroup(group)).inserted },
  { name: 'copy', roundTrips: '4: BEGIN, COPY, INSERT…SELECT, COMMIT', write: copy(pool) },
  { name: 'json-recordset', roundTrips: '1', write: jsonRecordset(pool) },
];
