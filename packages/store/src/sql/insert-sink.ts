import { sql, type RawBuilder } from 'kysely';
import type { TaskValues } from './task-values.js';

/** The sink rows of one set of columns, with the task each belongs to. */
interface SinkBatch {
  readonly columns: ReadonlyArray<string>;
  readonly taskIds: string[];
  readonly json: string[];
}

/**
 * The sink's writes for `rows`, as CTEs (`sink_0 AS (INSERT …)`, …) for a statement whose task
 * insert is a CTE named `written` that returns the ids it wrote; none when there is no sink or
 * no task carries sink rows. For each set of columns the sink rows name (almost always one):
 *
 * ```sql
 * sink_0 AS (
 *   INSERT INTO "analytics"."page_views" ("task_id", "url", "viewed_at")
 *   SELECT sink_row."task_id", sink_row."url", sink_row."viewed_at"
 *   FROM unnest($ids::uuid[]) WITH ORDINALITY AS sink (task_id, n)
 *   CROSS JOIN LATERAL jsonb_populate_record(NULL::"analytics"."page_views", $rows::jsonb -> (sink.n - 1)::integer) AS sink_row
 *   WHERE sink.task_id IN (SELECT id FROM written)
 * )
 * ```
 *
 * - **Exactly once.** A sink row goes in only when its task's row is in `written`, that is, newly
 *   inserted by this statement: a redelivered task's row hits `ON CONFLICT (id, submitted_at) DO NOTHING` and
 *   brings no sink rows, so the user's table needs no unique key. `$ids` runs parallel to `$rows`
 *   (row n belongs to task n), so the user's table needs no task id column either.
 * - **Types by PostgreSQL.** `jsonb_populate_record(NULL::the_table, …)` casts each JSON value to
 *   its column's type (timestamptz from ISO text, integer, jsonb, arrays, enums, domains), with
 *   no type map here; a value it cannot cast is a class 22 error, isolated like a poison row.
 * - **Defaults.** Only the columns a row names are inserted, so an identity column, a serial or a
 *   `DEFAULT now()` it leaves out works as in a plain INSERT (`SELECT r.*` would send NULL for
 *   them). Rows that name different columns go in separate inserts of the same statement, so a
 *   row's outcome never depends on what else is in its group.
 * - **Safe names.** The table (already checked: plain identifiers) and the column names (any
 *   text without NUL) are quoted identifiers; every value travels as a parameter.
 *
 * The JSON array is parsed once per statement (`$rows::jsonb` is a constant) and each row is an
 * O(1) lookup into it, as in `insertTasks`.
 */
export const sinkInserts = (
  table: string | undefined,
  rows: ReadonlyArray<TaskValues>,
): ReadonlyArray<RawBuilder<unknown>> => {
  if (table === undefined) return [];
  const batches = new Map<string, SinkBatch>();
  for (const row of rows) {
    for (const sinkRow of row.sinkRows) {
      // NUL cannot be part of a column name, so it cannot make two sets of columns collide.
      const key = sinkRow.columns.join('\u0000');
      let batch = batches.get(key);
      if (batch === undefined) {
        batch = { columns: sinkRow.columns, taskIds: [], json: [] };
        batches.set(key, batch);
      }
      batch.taskIds.push(row.id);
      batch.json.push(sinkRow.json);
    }
  }
  const target = sql.id(...table.split('.'));
  return [...batches.values()].map(({ columns, taskIds, json }, index) => {
    // A row that names no column is a row of defaults: `INSERT INTO t SELECT FROM …`.
    const columnList = columns.length === 0 ? sql`` : sql`(${sql.join(columns.map((column) => sql.id(column)))})`;
    const values = sql.join(
      columns.map((column) => sql.id('sink_row', column)),
      sql`, `,
    );
    return sql`${sql.id(`sink_${index}`)} AS (
      INSERT INTO ${target} ${columnList}
      SELECT ${values}
      FROM unnest(${taskIds}::uuid[]) WITH ORDINALITY AS sink (task_id, n)
      CROSS JOIN LATERAL jsonb_populate_record(NULL::${target}, ${`[${json.join(',')}]`}::jsonb -> (sink.n - 1)::integer) AS sink_row
      WHERE sink.task_id IN (SELECT id FROM written)
    )`;
  });
};
