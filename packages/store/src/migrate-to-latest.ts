import { Migrator, type Kysely } from 'kysely';
import { MigrationError } from './migration-error.js';
import { migrationProvider } from './migrations/migration-provider.js';

/**
 * Applies every migration the database has not seen yet, in order, and returns the names it
 * applied (empty when the schema was already current). Safe to run from several processes at
 * once: Kysely's Migrator holds a lock row while it works. All pending migrations run in one
 * transaction (PostgreSQL has transactional DDL), so a failure leaves the schema as it was.
 *
 * @throws {MigrationError} naming the migration that failed.
 *
 * @example
 * const applied = await migrateToLatest(db);
 * console.log(applied); // ['0001-create-tasks-and-batches', '0002-allow-pressure-trigger'] on a fresh database, [] after
 */
export const migrateToLatest = async <DB>(db: Kysely<DB>): Promise<ReadonlyArray<string>> => {
  const migrator = new Migrator({ db, provider: migrationProvider });
  const { error, results = [] } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results.find((result) => result.status === 'Error');
    throw new MigrationError(failed?.migrationName, { cause: error });
  }
  return results.filter((result) => result.status === 'Success').map((result) => result.migrationName);
};
