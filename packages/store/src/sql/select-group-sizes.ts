import { sql, type Kysely } from 'kysely';
import type { Database, FlushTrigger } from '../schema.js';

/** How many committed groups of one task type, released by one trigger, held `size` tasks. */
export interface GroupSizeCount {
  readonly taskType: string;
  readonly trigger: FlushTrigger;
  readonly size: number;
  readonly groups: number;
}

/**
 * Committed groups counted by task type, trigger and size, from the `batches` table: at most
 * (task types × 3 triggers × BATCH_SIZE) rows however many groups were committed. The api turns
 * them into the group-size histogram and the flushes-by-trigger counter at every scrape, for the
 * whole fleet of workers, including those that have restarted since.
 *
 * @example
 * const counts = await selectGroupSizes(db);
 * // [{ taskType: 'EMAIL', trigger: 'size', size: 100, groups: 42 }, …]
 */
export const selectGroupSizes = async (db: Kysely<Database>): Promise<ReadonlyArray<GroupSizeCount>> => {
  const { rows } = await sql<{ task_type: string; trigger: FlushTrigger; size: number; groups: number }>`
    SELECT task_type, trigger, size, count(*)::int AS groups
    FROM batches
    GROUP BY task_type, trigger, size
    ORDER BY task_type, trigger, size
  `.execute(db);
  return rows.map((row) => ({ taskType: row.task_type, trigger: row.trigger, size: row.size, groups: row.groups }));
};
