import { Migrator, type Kysely } from 'kysely';
import { maintainPartitions } from './maintain-partitions.js';
import { MigrationError } from './migration-error.js';
import { migrationProvider } from './migrations/migration-provider.js';
import { PARTITION_DEFAULTS, type PartitionSettings } from './partition-plan.js';

export interface MigrateOptions {
  /**
   * `PARTITION_INTERVAL` and `TASK_RETENTION` (`config.partitions`): once the schema is current,
   * partitions are made ready for them, so the database takes rows at once. Pass the settings the
   * workers run with: partitions made now reach two intervals ahead, and a worker with another
   * interval only cuts its own after those. Default: the configuration's defaults (1d, 7d).
   */
  readonly partitions?: PartitionSettings;
}

/**
 * Applies every migration the database has not seen yet, in order, then runs partition
 * maintenance once (see `maintainPartitions`), and returns the names it applied (empty when the
 * schema was already current). Safe to run from several processes at
 * once: Kysely's Migrator holds a lock row while it works. All pending migrations run in one
 * transaction (PostgreSQL has transactional DDL), so a failure leaves the schema as it was.
 *
 * @throws {MigrationError} naming the migration that failed.
 *
 * @example
 * const applied = await migrateToLatest(db);
 * console.log(applied); // ['0001-create-tasks-and-batches', '0002-allow-pressure-trigger'] on a fresh database, [] after
 */
export const migrateToLatest = async <DB>(
  db: Kysely<DB>,
  options: MigrateOptions = {},
): Promise<ReadonlyArray<string>> => {
  const migrator = new Migrator({ db, provider: migrationProvider });
  const { error, results = [] } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results.find((result) => result.status === 'Error');
    throw new MigrationError(failed?.migrationName, { cause: error });
  }
  await maintainPartitions(db, options.partitions ?? PARTITION_DEFAULTS, { wait: true });
  return results.filter((result) => result.status === 'Success').map((result) => result.migrationName);
};
