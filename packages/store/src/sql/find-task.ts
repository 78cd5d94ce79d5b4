import type { Kysely } from 'kysely';
import { isUuid } from '@sluice/tasks';
import type { Database } from '../schema.js';
import { taskRecordColumns, type TaskRecord } from '../task-record.js';

/**
 * The committed row of task `id`, or `undefined` when there is none yet (the task is still in
 * the queue, or never existed). A string that is not a UUID is answered `undefined` without
 * asking the database, so an id straight from a URL cannot cause a database error.
 *
 * @example
 * const task = await findTask(db, '01890a5d-ac96-774b-bcce-b302099a8057');
 * if (task?.status === 'FAILED') console.log(task.error);
 */
export const findTask = async (db: Kysely<Database>, id: string): Promise<TaskRecord | undefined> => {
  // A malformed id (from a URL, say) is simply not found, rather than a database error.
  if (!isUuid(id)) return undefined;
  return db.selectFrom('tasks').select(taskRecordColumns).where('id', '=', id).executeTakeFirst();
};
