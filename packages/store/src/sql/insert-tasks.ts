import { sql, type RawBuilder } from 'kysely';
import type { TaskStatus } from '../schema.js';
import type { TaskValues } from './task-values.js';

/** What the task insert returns for each row it wrote (none for a row skipped as a duplicate). */
export interface WrittenTask {
  readonly id: string;
  readonly status: TaskStatus;
}

/**
 * `INSERT INTO tasks … ON CONFLICT (id) DO NOTHING RETURNING id, status` for `rows`, all
 * stamped with `batchId` and `committed_at = now()` (the transaction's start, so every row of
 * a commit carries the same instant). Run on its own it is one attempt of poison isolation;
 * wrapped in a CTE named `written` it feeds {@link insertBatch}.
 *
 * The rows travel as nine array parameters expanded by `unnest()`: the statement text is the
 * same for every group, and no value is ever spliced into SQL. A task whose row already
 * exists (BullMQ redelivered it after a crash between commit and acknowledgement) is skipped
 * and not returned, which is how the batch row knows its duplicates.
 *
 * @example
 * const { rows } = await insertTasks(values, batch.id).execute(trx);
 */
export const insertTasks = (
  rows: ReadonlyArray<TaskValues>,
  batchId: string,
): RawBuilder<WrittenTask> => sql<WrittenTask>`
  INSERT INTO tasks (id, task_type, payload, status, result, error, attempts,
                     submitted_at, started_at, committed_at, batch_id)
  SELECT id, task_type, payload, status, result, error, attempts,
         submitted_at, started_at, now(), ${batchId}::uuid
  FROM unnest(${rows.map((row) => row.id)}::uuid[],
              ${rows.map((row) => row.taskType)}::text[],
              ${rows.map((row) => row.payload)}::jsonb[],
              ${rows.map((row) => row.status)}::text[],
              ${rows.map((row) => row.result)}::jsonb[],
              ${rows.map((row) => row.error)}::text[],
              ${rows.map((row) => row.attempts)}::integer[],
              ${rows.map((row) => row.submittedAt)}::timestamptz[],
              ${rows.map((row) => row.startedAt)}::timestamptz[])
    AS given (id, task_type, payload, status, result, error, attempts, submitted_at, started_at)
  ON CONFLICT (id) DO NOTHING
  RETURNING id, status
`;
