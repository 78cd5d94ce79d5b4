import { sql, type Kysely } from 'kysely';
import type { Database } from '../schema.js';
import type { GroupBatch } from './group-commit.js';
import { insertBatch, type BatchTally, type BatchWrite } from './insert-batch.js';
import { insertTasks } from './insert-tasks.js';
import type { TaskValues } from './task-values.js';

/** The batch row, plus which of the given task rows were written (not skipped as duplicates). */
export interface FinalWrite extends BatchWrite {
  readonly written_ids: ReadonlyArray<string>;
}

/**
 * The last statement of poison isolation: writes the FAILED rows that stand in for the
 * refused tasks and the group's batch row together, in the same CTE shape as the
 * one-statement commit, so isolation costs one write here however many tasks were refused.
 * `tally` carries what the earlier attempts of the transaction wrote, so the batch row counts
 * the whole group. The ids of the rows written come back so that a refused task whose id was
 * already committed is reported as a duplicate rather than as rejected.
 *
 * @example
 * const final = await writeFinalRows(trx, batch, failedStandIns, tally);
 */
export const writeFinalRows = async (
  db: Kysely<Database>,
  batch: GroupBatch,
  rows: ReadonlyArray<TaskValues>,
  tally: BatchTally,
): Promise<FinalWrite> => {
  const { rows: written } = await sql<FinalWrite>`
    WITH written AS (${insertTasks(rows, batch.id)}),
         batch AS (${insertBatch(batch, tally)})
    SELECT batch.*, ARRAY(SELECT id::text FROM written) AS written_ids
    FROM batch
  `.execute(db);
  const [row] = written;
  if (row === undefined) throw new Error(`commit of batch ${batch.id} returned no batch row`);
  return row;
};
