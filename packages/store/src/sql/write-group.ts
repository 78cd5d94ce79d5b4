import { sql, type Kysely } from 'kysely';
import type { Database } from '../schema.js';
import type { GroupBatch } from './group-commit.js';
import { insertBatch, type BatchWrite } from './insert-batch.js';
import { insertTasks } from './insert-tasks.js';
import type { TaskValues } from './task-values.js';

/**
 * Writes every task row of a group and its batch row in one statement: the task insert is a
 * CTE, and the batch row counts what it returned. One round trip, and atomic on its own (a
 * single statement is its own transaction), so no BEGIN/COMMIT is sent. Either everything is
 * written or, when PostgreSQL refuses any of it, nothing.
 *
 * @example
 * const written = await writeGroup(db, batch, tasks.map(toTaskValues));
 */
export const writeGroup = async (
  db: Kysely<Database>,
  batch: GroupBatch,
  rows: ReadonlyArray<TaskValues>,
): Promise<BatchWrite> => {
  const tally = { taskCount: rows.length, completedEarlier: 0, failedEarlier: 0 };
  const { rows: written } = await sql<BatchWrite>`
    WITH written AS (${insertTasks(rows, batch.id)})
    ${insertBatch(batch, tally)}
  `.execute(db);
  // An aggregate without GROUP BY always yields one row, even over zero inserted tasks.
  const [row] = written;
  if (row === undefined) throw new Error(`commit of batch ${batch.id} returned no batch row`);
  return row;
};
