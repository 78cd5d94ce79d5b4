import type { Migration, MigrationProvider } from 'kysely';
import { createTasksAndBatches } from './0001-create-tasks-and-batches.js';
import { allowPressureTrigger } from './0002-allow-pressure-trigger.js';
import { addBatchesGroupKey } from './0003-add-batches-group-key.js';
import { partitionTasksAndBatches } from './0004-partition-tasks-and-batches.js';

/**
 * Every migration, by name. Names sort in the order they must run (Kysely sorts them), and a
 * released name never changes: the database records which names it has applied.
 *
 * Listed in code rather than read from a folder so the compiled `dist/` needs no file lookups
 * and a bundler cannot leave a migration behind.
 */
export const migrations: Readonly<Record<string, Migration>> = Object.freeze({
  '0001-create-tasks-and-batches': createTasksAndBatches,
  '0002-allow-pressure-trigger': allowPressureTrigger,
  '0003-add-batches-group-key': addBatchesGroupKey,
  '0004-partition-tasks-and-batches': partitionTasksAndBatches,
});

/** Hands Kysely's Migrator the list above. */
export const migrationProvider: MigrationProvider = {
  getMigrations: async () => ({ ...migrations }),
};
