import type { Kysely } from 'kysely';
import { isUuid } from '@sluice/tasks';
import { batchRecordColumns, type BatchRecord } from '../batch-record.js';
import type { Database } from '../schema.js';

/**
 * The batch row `id`, or `undefined` when there is none (or `id` is not a UUID).
 *
 * @example
 * const task = await findTask(db, taskId);
 * const batch = task && (await findBatch(db, task.batchId));
 */
export const findBatch = async (db: Kysely<Database>, id: string): Promise<BatchRecord | undefined> => {
  if (!isUuid(id)) return undefined;
  return db.selectFrom('batches').select(batchRecordColumns).where('id', '=', id).executeTakeFirst();
};
