import { sql, type Kysely, type Migration } from 'kysely';

/*
 * `tasks` and `batches` become range-partitioned tables, so that expiry is a partition drop
 * (issue 17): `tasks` by `submitted_at`, `batches` by `committed_at`.
 *
 * Why those columns and not the UUIDv7 id. A task sent with an Idempotency-Key has an id hashed
 * from the key (a version 8 UUID, no time in it), so ranges of id would scatter keyed tasks over
 * all time. `submitted_at` is fixed when the task is accepted and travels with it through every
 * retry and redelivery, so `(id, submitted_at)` names one task as surely as `id` did, and
 * `ON CONFLICT (id, submitted_at)` still refuses a redelivered task its second row. A batch id is
 * made by the worker and may be any UUID; `committed_at` is the database's own clock.
 *
 * The existing tables are kept, not copied: each is renamed `<table>_initial` and attached as the
 * partition of all time before the moment of this migration. What that costs on a big table is
 * building the new primary key over it (unless the index was made beforehand; see
 * PREBUILT_INDEX) and one read of it to check the partition's bound: no row is rewritten. The
 * README's "Partitions and retention" gives timings and the manual route for very large tables.
 * Partitions after that moment are created by partition maintenance, which every worker and
 * `sluice migrate` run.
 */

interface Table {
  readonly name: 'tasks' | 'batches';
  readonly key: 'submitted_at' | 'committed_at';
  /** Indexes the unpartitioned table had besides its primary key: re-created on the partitioned one. */
  readonly indexes: ReadonlyArray<Index>;
  /** Indexes only the partitioned table has. */
  readonly addedIndexes: ReadonlyArray<Index>;
}

interface Index {
  readonly name: string;
  readonly column: string;
}

const TASKS: Table = {
  name: 'tasks',
  key: 'submitted_at',
  indexes: [{ name: 'tasks_batch_id_idx', column: 'batch_id' }],
  addedIndexes: [],
};
// The throughput query reads the last minutes of batches by `committed_at`: with no index it
// would read the whole newest partition, a day of batches at the default interval.
const BATCHES: Table = {
  name: 'batches',
  key: 'committed_at',
  indexes: [],
  addedIndexes: [{ name: 'batches_committed_at_idx', column: 'committed_at' }],
};

/**
 * A unique index on `(id, <key>)` that an operator may build on the unpartitioned table with
 * `CREATE UNIQUE INDEX CONCURRENTLY`, while Sluice runs, before upgrading: this migration then
 * turns it into the primary key at once instead of building one with the table locked.
 */
export const PREBUILT_INDEX: Readonly<Record<Table['name'], string>> = {
  tasks: 'tasks_id_submitted_at_key',
  batches: 'batches_id_committed_at_key',
};

const indexExists = async (db: Kysely<unknown>, name: string): Promise<boolean> => {
  const { rows } = await sql<{ found: boolean }>`SELECT to_regclass(${name}) IS NOT NULL AS found`.execute(db);
  return rows[0]?.found === true;
};

const partition = async (db: Kysely<unknown>, table: Table, cutover: Date): Promise<void> => {
  const initial = `${table.name}_initial`;
  await sql`ALTER TABLE ${sql.table(table.name)} RENAME TO ${sql.table(initial)}`.execute(db);
  await sql`ALTER TABLE ${sql.table(initial)} DROP CONSTRAINT ${sql.id(`${table.name}_pkey`)}`.execute(db);
  const prebuilt = PREBUILT_INDEX[table.name];
  await ((await indexExists(db, prebuilt))
    ? sql`ALTER TABLE ${sql.table(initial)} ADD CONSTRAINT ${sql.id(`${initial}_pkey`)} PRIMARY KEY USING INDEX ${sql.id(prebuilt)}`
    : sql`ALTER TABLE ${sql.table(initial)} ADD CONSTRAINT ${sql.id(`${initial}_pkey`)} PRIMARY KEY (id, ${sql.id(table.key)})`
  ).execute(db);
  for (const index of table.indexes) {
    await sql`ALTER INDEX ${sql.id(index.name)} RENAME TO ${sql.id(`${initial}_${index.column}_idx`)}`.execute(db);
  }
  // LIKE takes the columns, their NOT NULLs and defaults and the CHECK constraints as earlier
  // migrations left them, which the partition must match to be attached.
  await sql`
    CREATE TABLE ${sql.table(table.name)} (LIKE ${sql.table(initial)} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)
    PARTITION BY RANGE (${sql.id(table.key)})
  `.execute(db);
  await sql`
    ALTER TABLE ${sql.table(table.name)} ADD CONSTRAINT ${sql.id(`${table.name}_pkey`)} PRIMARY KEY (id, ${sql.id(table.key)})
  `.execute(db);
  await sql`
    ALTER TABLE ${sql.table(table.name)} ATTACH PARTITION ${sql.table(initial)}
    FOR VALUES FROM (MINVALUE) TO (${sql.lit(cutover.toISOString())})
  `.execute(db);
  // Created after the attach, an index finds the initial partition's index of the same column
  // (the old one, renamed above) and adopts it rather than building another.
  for (const index of [...table.indexes, ...table.addedIndexes]) {
    await sql`CREATE INDEX ${sql.id(index.name)} ON ${sql.table(table.name)} (${sql.id(index.column)})`.execute(db);
  }
};

const unpartition = async (db: Kysely<unknown>, table: Table): Promise<void> => {
  const flat = `${table.name}_unpartitioned`;
  await sql`CREATE TABLE ${sql.table(flat)} (LIKE ${sql.table(table.name)} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)`.execute(
    db,
  );
  await sql`INSERT INTO ${sql.table(flat)} SELECT * FROM ${sql.table(table.name)}`.execute(db);
  await sql`DROP TABLE ${sql.table(table.name)}`.execute(db);
  await sql`ALTER TABLE ${sql.table(flat)} RENAME TO ${sql.table(table.name)}`.execute(db);
  // Refuses, naming the key, when two rows share an id: a keyed task sent again after its first
  // row's partition was dropped. The older schema cannot hold both.
  await sql`ALTER TABLE ${sql.table(table.name)} ADD CONSTRAINT ${sql.id(`${table.name}_pkey`)} PRIMARY KEY (id)`.execute(
    db,
  );
  for (const index of table.indexes) {
    await sql`CREATE INDEX ${sql.id(index.name)} ON ${sql.table(table.name)} (${sql.id(index.column)})`.execute(db);
  }
};

export const partitionTasksAndBatches: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    // A partitioned table cannot hold a NOT VALID check constraint (0002 added one), and the
    // partition must carry the parent's constraints as valid ones: check the existing rows once.
    await sql`ALTER TABLE batches VALIDATE CONSTRAINT batches_trigger_check`.execute(db);
    const { rows } = await sql<{ now: Date; tasks_end: Date }>`
      SELECT now(),
             -- An api whose clock runs ahead of the database's may have stamped a row after now().
             greatest(now(), (SELECT max(submitted_at) + interval '1 millisecond' FROM tasks)) AS tasks_end
    `.execute(db);
    const [times] = rows;
    if (times === undefined) throw new Error('SELECT now() returned no row');
    await partition(db, TASKS, times.tasks_end);
    await partition(db, BATCHES, times.now);
  },

  async down(db: Kysely<unknown>): Promise<void> {
    await unpartition(db, TASKS);
    await unpartition(db, BATCHES);
  },
};
