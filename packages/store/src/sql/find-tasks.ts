import { type Kysely, sql } from 'kysely';
import { isUuid } from '@sluice/tasks';
import type { Database } from '../schema.js';
import { taskRecordColumns, type TaskRecord } from '../task-record.js';

/**
 * The committed rows among `ids`, in no particular order; ids with no row (and strings that are
 * not UUIDs) are simply absent. One statement whatever the count: the ids go as one `uuid[]`
 * parameter, so 20,000 of them are neither 20,000 round trips nor 20,000 bind parameters
 * (PostgreSQL allows 65,535).
 *
 * @example
 * const rows = await findTasks(db, taskIds);
 * const done = new Set(rows.map((row) => row.id));
 */
export const findTasks = async (db: Kysely<Database>, ids: ReadonlyArray<string>): Promise<TaskRecord[]> => {
  const valid = ids.filter(isUuid);
  if (valid.length === 0) return [];
  return db.selectFrom('tasks').select(taskRecordColumns).where(sql<boolean>`id = any(${valid}::uuid[])`).execute();
};
