import { sql, type Kysely } from 'kysely';
import type { PartitionRange } from '../partition-plan.js';

/** The partitioned tables, each with its partitions. */
export interface PartitionSet {
  readonly tasks: ReadonlyArray<PartitionRange>;
  readonly batches: ReadonlyArray<PartitionRange>;
}

/** The tables partitioned by time, in the order maintenance visits them. */
export const PARTITIONED_TABLES = ['tasks', 'batches'] as const;
export type PartitionedTable = (typeof PARTITIONED_TABLES)[number];

interface PartitionRow {
  readonly parent: PartitionedTable;
  readonly name: string;
  readonly from: Date | null;
  readonly to: Date | null;
}

/**
 * The partitions of `tasks` and `batches`, oldest first, read from the catalog (the bounds are
 * what PostgreSQL itself routes rows by, so nothing kept beside them can drift). A bound comes
 * back as the text `FOR VALUES FROM ('…') TO ('…')` in this session's time zone and is cast
 * back to a timestamp in the same session; `MINVALUE` has no quoted value and reads as `null`.
 * An unpartitioned table (a database not yet migrated) has none.
 *
 * @example
 * const { tasks } = await listPartitions(db);
 * tasks.at(-1)?.to; // how far ahead rows can already be written
 */
export const listPartitions = async <DB>(db: Kysely<DB>): Promise<PartitionSet> => {
  const { rows } = await sql<PartitionRow>`
    SELECT parent.relname AS parent, child.relname AS name,
           (regexp_match(bound, 'FROM \\(''([^'']+)''\\)'))[1]::timestamptz AS "from",
           (regexp_match(bound, 'TO \\(''([^'']+)''\\)'))[1]::timestamptz AS "to"
    FROM pg_inherits
    JOIN pg_class parent ON parent.oid = pg_inherits.inhparent
    JOIN pg_class child ON child.oid = pg_inherits.inhrelid
    CROSS JOIN LATERAL pg_get_expr(child.relpartbound, child.oid) AS bound
    WHERE parent.oid IN (to_regclass('tasks'), to_regclass('batches'))
    ORDER BY 1, 3 NULLS FIRST
  `.execute(db);
  const of = (table: PartitionedTable): PartitionRange[] =>
    rows.flatMap((row) =>
      row.parent === table && row.to !== null ? [{ name: row.name, from: row.from, to: row.to }] : [],
    );
  return { tasks: of('tasks'), batches: of('batches') };
};
