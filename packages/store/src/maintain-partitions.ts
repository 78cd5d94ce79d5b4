import { sql, type Kysely, type Transaction } from 'kysely';
import { planPartitions, type PartitionRange, type PartitionSettings } from './partition-plan.js';
import { listPartitions, PARTITIONED_TABLES, type PartitionedTable, type PartitionSet } from './sql/list-partitions.js';

/** One partition created or dropped. */
export interface PartitionChange {
  readonly table: PartitionedTable;
  readonly name: string;
  readonly from: Date | null;
  readonly to: Date;
}

/** What one maintenance run did. */
export interface MaintenanceReport {
  /** `false`: another process held the maintenance lock, and this run changed nothing. */
  readonly ran: boolean;
  readonly created: ReadonlyArray<PartitionChange>;
  readonly dropped: ReadonlyArray<PartitionChange>;
  /** The partitions as they are after the run (after the other process's, when it did not run). */
  readonly partitions: PartitionSet;
}

export interface MaintenanceOptions {
  /**
   * `true`: wait (up to the lock timeout) for another process's run to finish, then run; for a
   * process about to write, which must find partitions ahead. Default `false`: skip when another
   * process is running it, as periodic runs do.
   */
  readonly wait?: boolean;
  /**
   * How long each DDL statement may wait for the table locks it needs, in ms. While it waits,
   * every commit queues behind it; past this it gives up, rolls back, and the next run tries
   * again. Default 2,000.
   */
  readonly lockTimeoutMs?: number;
}

/**
 * One key for the whole database: the maintainers of every worker serialise on it, so two never
 * create the same partition. Computed by PostgreSQL from a name, so it reads as what it is.
 */
const LOCK_NAME = 'sluice:partition-maintenance';

/** Takes the transaction-scoped maintenance lock; `false` when another process has it (and `wait` is off). */
const lock = async <DB>(trx: Transaction<DB>, wait: boolean): Promise<boolean> => {
  if (wait) {
    await sql`SELECT pg_advisory_xact_lock(hashtext(${LOCK_NAME}))`.execute(trx);
    return true;
  }
  const { rows } = await sql<{ locked: boolean }>`
    SELECT pg_try_advisory_xact_lock(hashtext(${LOCK_NAME})) AS locked
  `.execute(trx);
  return rows[0]?.locked === true;
};

/** A bound as DDL takes it: no bind parameters there, so a literal of the ISO text (no quote can occur in it). */
const bound = (at: Date | null) => (at === null ? sql`MINVALUE` : sql.lit(at.toISOString()));

const createPartition = <DB>(trx: Transaction<DB>, table: PartitionedTable, partition: PartitionRange) =>
  sql`
    CREATE TABLE ${sql.table(partition.name)} PARTITION OF ${sql.table(table)}
    FOR VALUES FROM (${bound(partition.from)}) TO (${bound(partition.to)})
  `.execute(trx);

/**
 * One step of maintenance in its own transaction, under the maintenance lock and a lock
 * timeout: the changes `decide` picks from the partitions as they are once the lock is held.
 */
const step = async <DB>(
  db: Kysely<DB>,
  options: Required<MaintenanceOptions>,
  decide: (partitions: PartitionSet, now: Date) => ReadonlyArray<{ table: PartitionedTable; range: PartitionRange }>,
  apply: (trx: Transaction<DB>, table: PartitionedTable, range: PartitionRange) => Promise<unknown>,
): Promise<{ ran: boolean; changes: PartitionChange[] }> =>
  db.transaction().execute(async (trx) => {
    await sql`SELECT set_config('lock_timeout', ${`${options.lockTimeoutMs}ms`}, true)`.execute(trx);
    if (!(await lock(trx, options.wait))) return { ran: false, changes: [] };
    const { rows } = await sql<{ now: Date }>`SELECT now()`.execute(trx);
    const now = rows[0]?.now ?? new Date();
    const changes: PartitionChange[] = [];
    for (const { table, range } of decide(await listPartitions(trx), now)) {
      await apply(trx, table, range);
      changes.push({ table, name: range.name, from: range.from, to: range.to });
    }
    return { ran: true, changes };
  });

/**
 * Creates the partitions of `tasks` and `batches` that should exist ahead of now and drops those
 * past the retention (see `planPartitions`), deciding by the database's clock. Safe to run from
 * every worker at once: each run holds a transaction-scoped advisory lock, and a run that finds
 * it taken changes nothing (or, with `wait`, runs after the other).
 *
 * Creating and dropping are two transactions: a drop needs an exclusive lock on the table that a
 * long query can hold up, and a drop given up on must not undo the partitions just created.
 *
 * @example
 * const report = await maintainPartitions(db, { intervalSeconds: 86_400, retentionSeconds: 604_800 });
 * for (const p of report.created) logger.info('partition created', p);
 */
export const maintainPartitions = async <DB>(
  db: Kysely<DB>,
  settings: PartitionSettings,
  options: MaintenanceOptions = {},
): Promise<MaintenanceReport> => {
  const resolved = { wait: options.wait ?? false, lockTimeoutMs: options.lockTimeoutMs ?? 2_000 };
  const created = await step(
    db,
    resolved,
    (partitions, now) =>
      PARTITIONED_TABLES.flatMap((table) =>
        planPartitions(table, partitions[table], settings, now).create.map((range) => ({ table, range })),
      ),
    (trx, table, range) => createPartition(trx, table, range),
  );
  const dropped = created.ran
    ? await step(
        db,
        resolved,
        (partitions, now) =>
          PARTITIONED_TABLES.flatMap((table) =>
            planPartitions(table, partitions[table], settings, now).drop.map((range) => ({ table, range })),
          ),
        (trx, _table, range) => sql`DROP TABLE ${sql.table(range.name)}`.execute(trx),
      )
    : { ran: false, changes: [] };
  return {
    ran: created.ran,
    created: created.changes,
    dropped: dropped.changes,
    partitions: await listPartitions(db),
  };
};
