import { sql, type Kysely } from 'kysely';
import { InvalidArgumentError } from '../invalid-argument-error.js';
import type { Database, FlushTrigger, TaskStatus } from '../schema.js';

/** One finished task, as the worker hands it to the store. */
export interface TaskRow {
  /** The task's UUIDv7: primary key, so a redelivered task is skipped rather than written twice. */
  readonly id: string;
  readonly taskType: string;
  /** Any JSON value. `null` or `undefined` is stored as SQL NULL. */
  readonly payload: unknown;
  readonly status: TaskStatus;
  /** The handler's output, any JSON value; `null` or `undefined` is stored as SQL NULL. */
  readonly result: unknown;
  readonly error: string | null;
  /** Attempts made, counting the one that finished the task. */
  readonly attempts: number;
  readonly submittedAt: Date;
  readonly startedAt: Date | null;
}

/** The group a batch row describes. */
export interface GroupBatch {
  /** A fresh UUIDv7 per commit, so `ORDER BY id` lists batches in time order. */
  readonly id: string;
  readonly workerId: string;
  readonly taskType: string;
  readonly trigger: FlushTrigger;
  readonly openedAt: Date;
  readonly flushedAt: Date;
  /** How long the handler took for the group, in ms. */
  readonly handlerMs: number;
  /**
   * Tasks the group held, including those sent back for a retry, which get no row here:
   * `size - tasks.length` is recorded as `retried`.
   */
  readonly size: number;
}

/** A released group's batch row and the rows of its finished tasks. */
export interface GroupCommit {
  readonly batch: GroupBatch;
  /** Finished tasks only (COMPLETED or final FAILED). May be empty when every task is retried. */
  readonly tasks: ReadonlyArray<TaskRow>;
}

/** What a commit wrote. */
export interface CommitResult {
  /** Task rows written. */
  readonly inserted: number;
  /** Task rows skipped because a row with that id already existed. */
  readonly duplicates: number;
  /** Server time of the commit statement, as stored in `committed_at` of every row it wrote. */
  readonly committedAt: Date;
}

interface CommitRow {
  readonly committed_at: Date;
  readonly inserted: number;
  readonly duplicates: number;
}

/** JSON text for a `jsonb[]` element; JavaScript `null`/`undefined` stay SQL NULL. */
const jsonText = (value: unknown, field: string): string | null => {
  if (value === null || value === undefined) return null;
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    throw new InvalidArgumentError(field, 'must be a JSON value', { cause: error });
  }
  // JSON.stringify returns undefined for a function or a symbol: nothing JSON can hold.
  if (text === undefined) throw new InvalidArgumentError(field, 'must be a JSON value');
  return text;
};

const checkBatch = (batch: GroupBatch, taskCount: number): void => {
  if (!Number.isInteger(batch.size) || batch.size < taskCount) {
    throw new InvalidArgumentError(
      'batch.size',
      `must be a whole number no smaller than the ${taskCount} task rows given, got ${batch.size}`,
    );
  }
  if (!Number.isFinite(batch.handlerMs) || batch.handlerMs < 0) {
    throw new InvalidArgumentError('batch.handlerMs', `must be a finite number ≥ 0, got ${batch.handlerMs}`);
  }
};

/**
 * Writes a group's task rows and its batch row with one SQL statement: one round trip, and
 * atomic on its own (a single statement is its own transaction), so no BEGIN/COMMIT is needed.
 *
 * The task rows travel as nine array parameters expanded by `unnest()`: the statement text
 * is the same for every group, and no value is ever spliced into SQL. `ON CONFLICT (id) DO
 * NOTHING` skips a task whose row already exists (BullMQ redelivered it after a crash between
 * commit and acknowledgement), and the batch row counts only what was really inserted, since
 * it is computed from the `RETURNING` of the task insert in the same statement.
 *
 * `committed_at` is `now()`: the start of the transaction, which for this single autocommit
 * statement is when the server began it; every row of the group carries the same value.
 * `commit_ms` is measured on the server, from `statement_timestamp()` to the moment the
 * batch row is built (after the last task row is inserted); it leaves out the network, the
 * wait for a pooled connection and the WAL flush at commit. Run inside a caller's transaction,
 * `now()` is that transaction's start instead.
 *
 * Rows are sent in id order so two commits that overlap (a redelivered task racing its first
 * delivery) take their row locks in the same order and cannot deadlock.
 *
 * @throws {InvalidArgumentError} before sending anything, when `batch.size` is smaller than
 *   the task list or a payload/result is not JSON-serialisable.
 *
 * @example
 * const { inserted, duplicates, committedAt } = await commitGroup(db, {
 *   batch: { id: uuidv7(), workerId: 'w1', taskType: 'EMAIL', trigger: 'size',
 *            openedAt, flushedAt: new Date(), handlerMs: 12.5, size: 100 },
 *   tasks: finished, // ≤ 100 rows; the rest were sent back for a retry
 * });
 */
export const commitGroup = async (
  db: Kysely<Database>,
  group: GroupCommit,
): Promise<CommitResult> => {
  const { batch } = group;
  checkBatch(batch, group.tasks.length);
  const tasks = [...group.tasks].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

  const ids = tasks.map((task) => task.id);
  const taskTypes = tasks.map((task) => task.taskType);
  const payloads = tasks.map((task) => jsonText(task.payload, `tasks[${task.id}].payload`));
  const statuses = tasks.map((task) => task.status);
  const results = tasks.map((task) => jsonText(task.result, `tasks[${task.id}].result`));
  const errors = tasks.map((task) => task.error);
  const attempts = tasks.map((task) => task.attempts);
  const submittedAts = tasks.map((task) => task.submittedAt);
  const startedAts = tasks.map((task) => task.startedAt);

  const { rows } = await sql<CommitRow>`
    WITH inserted AS (
      INSERT INTO tasks (id, task_type, payload, status, result, error, attempts,
                         submitted_at, started_at, committed_at, batch_id)
      SELECT id, task_type, payload, status, result, error, attempts,
             submitted_at, started_at, now(), ${batch.id}::uuid
      FROM unnest(${ids}::uuid[], ${taskTypes}::text[], ${payloads}::jsonb[],
                  ${statuses}::text[], ${results}::jsonb[], ${errors}::text[],
                  ${attempts}::integer[], ${submittedAts}::timestamptz[],
                  ${startedAts}::timestamptz[])
        AS given (id, task_type, payload, status, result, error, attempts,
                  submitted_at, started_at)
      ON CONFLICT (id) DO NOTHING
      RETURNING status
    )
    INSERT INTO batches (id, worker_id, task_type, size, completed, failed, retried, duplicates,
                         trigger, opened_at, flushed_at, committed_at, handler_ms, commit_ms)
    SELECT ${batch.id}::uuid, ${batch.workerId}, ${batch.taskType}, ${batch.size}::integer,
           count(*) FILTER (WHERE status = 'COMPLETED'),
           count(*) FILTER (WHERE status = 'FAILED'),
           ${batch.size - tasks.length}::integer,
           ${tasks.length}::integer - count(*),
           ${batch.trigger}, ${batch.openedAt}::timestamptz, ${batch.flushedAt}::timestamptz,
           now(), ${batch.handlerMs}::double precision,
           1000 * extract(epoch FROM clock_timestamp() - statement_timestamp())
    FROM inserted
    RETURNING committed_at, completed + failed AS inserted, duplicates
  `.execute(db);

  const row = rows[0];
  // An aggregate without GROUP BY always yields one row, even over zero inserted tasks.
  if (row === undefined) throw new Error(`commit of batch ${batch.id} returned no batch row`);
  return { inserted: row.inserted, duplicates: row.duplicates, committedAt: row.committed_at };
};
