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
   * How long each step may wait for a lock it needs, in ms: the maintenance lock when `wait` is
   * set, and the table locks a long query on the table can hold up (commits never do). Past this
   * the step gives up, and the next run tries again. Default 2,000.
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

/**
 * Makes the partition as a table of its own, then attaches it. `CREATE TABLE … PARTITION OF`
 * would take an exclusive lock on the parent, queueing every commit behind any long query on it;
 * ATTACH takes one that commits and queries pass, and checks the empty table's rows at once.
 */
const createPartition = async <DB>(trx: Transaction<DB>, table: PartitionedTable, partition: PartitionRange) => {
  await sql`
    CREATE TABLE ${sql.table(partition.name)} (LIKE ${sql.table(table)} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)
  `.execute(trx);
  await sql`
    ALTER TABLE ${sql.table(table)} ATTACH PARTITION ${sql.table(partition.name)}
    FOR VALUES FROM (${bound(partition.from)}) TO (${bound(partition.to)})
  `.execute(trx);
};

/**
 * Detaches the partition without blocking commits or queries (`DETACH … CONCURRENTLY` waits for
 * the queries that may still read it instead of locking them out), then drops it. A detach cut
 * short (its lock timeout, a lost connection) leaves the partition pending: the next run finishes
 * it with FINALIZE. CONCURRENTLY cannot run inside a transaction block, so neither can this.
 */
const dropPartition = async <DB>(connection: Kysely<DB>, table: PartitionedTable, name: string) => {
  const { rows } = await sql<{ pending: boolean }>`
    SELECT inhdetachpending AS pending FROM pg_inherits WHERE inhrelid = to_regclass(${name})
  `.execute(connection);
  if (rows[0] !== undefined) {
    await (rows[0].pending
      ? sql`ALTER TABLE ${sql.table(table)} DETACH PARTITION ${sql.table(name)} FINALIZE`
      : sql`ALTER TABLE ${sql.table(table)} DETACH PARTITION ${sql.table(name)} CONCURRENTLY`
    ).execute(connection);
  }
  await sql`DROP TABLE IF EXISTS ${sql.table(name)}`.execute(connection);
};

/**
 * The drop step, on one connection outside any transaction (see dropPartition), holding the
 * maintenance lock at session level for its duration.
 */
const dropStep = async <DB>(
  db: Kysely<DB>,
  settings: PartitionSettings,
  options: Required<MaintenanceOptions>,
): Promise<PartitionChange[]> =>
  db.connection().execute(async (connection) => {
    await sql`SELECT set_config('lock_timeout', ${`${options.lockTimeoutMs}ms`}, false)`.execute(connection);
    try {
      const { rows } = await sql<{ locked: boolean }>`
        SELECT pg_try_advisory_lock(hashtext(${LOCK_NAME})) AS locked
      `.execute(connection);
      if (rows[0]?.locked !== true) return [];
      try {
        const { rows: clock } = await sql<{ now: Date }>`SELECT now()`.execute(connection);
        const now = clock[0]?.now ?? new Date();
        const partitions = await listPartitions(connection);
        const dropped: PartitionChange[] = [];
        for (const table of PARTITIONED_TABLES) {
          for (const range of planPartitions(table, partitions[table], settings, now).drop) {
            await dropPartition(connection, table, range.name);
            dropped.push({ table, name: range.name, from: range.from, to: range.to });
          }
        }
        return dropped;
      } finally {
        await sql`SELECT pg_advisory_unlock(hashtext(${LOCK_NAME}))`.execute(connection);
      }
    } finally {
      await sql`RESET lock_timeout`.execute(connection);
    }
  });

/**
 * The create step, in one transaction holding the maintenance lock: the partitions to create are
 * decided from the catalog as it is once the lock is held, so two workers never make one twice.
 */
const createStep = async <DB>(
  db: Kysely<DB>,
  settings: PartitionSettings,
  options: Required<MaintenanceOptions>,
): Promise<{ ran: boolean; created: PartitionChange[] }> =>
  db.transaction().execute(async (trx) => {
    await sql`SELECT set_config('lock_timeout', ${`${options.lockTimeoutMs}ms`}, true)`.execute(trx);
    if (!(await lock(trx, options.wait))) return { ran: false, created: [] };
    const { rows } = await sql<{ now: Date }>`SELECT now()`.execute(trx);
    const now = rows[0]?.now ?? new Date();
    const partitions = await listPartitions(trx);
    const created: PartitionChange[] = [];
    for (const table of PARTITIONED_TABLES) {
      for (const range of planPartitions(table, partitions[table], settings, now).create) {
        await createPartition(trx, table, range);
        created.push({ table, ...range });
      }
    }
    return { ran: true, created };
  });

/**
 * Creates the partitions of `tasks` and `batches` that should exist ahead of now and drops those
 * past the retention (see `planPartitions`), deciding by the database's clock. Safe to run from
 * every worker at once: each run holds a transaction-scoped advisory lock, and a run that finds
 * it taken changes nothing (or, with `wait`, runs after the other).
 *
 * Neither step locks commits or queries out: a partition is created as a table and attached, and
 * detached concurrently before it is dropped. Each step gives up past `lockTimeoutMs` when a
 * long query holds it up, and a drop given up on does not undo the partitions just created.
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
  const { ran, created } = await createStep(db, settings, resolved);
  const dropped = ran ? await dropStep(db, settings, resolved) : [];
  return {
    ran,
    created,
    dropped,
    partitions: await listPartitions(db),
  };
};
