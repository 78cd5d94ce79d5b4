import { sql, type Kysely, type Migration } from 'kysely';

/**
 * `batches.trigger` may also be `pressure`: a group the batcher released before it was full
 * because the jobs its worker held had reached the worker's BullMQ concurrency (issue 14).
 *
 * PostgreSQL cannot alter a CHECK constraint, so it is dropped and added again in the
 * migration's transaction. `NOT VALID` skips the scan of existing rows, which all hold one of
 * the three older values; new rows are checked from now on. Frozen once released, like every
 * migration: a later trigger gets a migration of its own.
 */
export const allowPressureTrigger: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await sql`
      ALTER TABLE batches
        DROP CONSTRAINT batches_trigger_check,
        ADD CONSTRAINT batches_trigger_check
          CHECK (trigger IN ('size', 'timeout', 'pressure', 'shutdown')) NOT VALID
    `.execute(db);
  },

  async down(db: Kysely<unknown>): Promise<void> {
    // Refuses, naming the constraint, while a `pressure` row exists: the older schema cannot hold it.
    await sql`
      ALTER TABLE batches
        DROP CONSTRAINT batches_trigger_check,
        ADD CONSTRAINT batches_trigger_check CHECK (trigger IN ('size', 'timeout', 'shutdown'))
    `.execute(db);
  },
};
