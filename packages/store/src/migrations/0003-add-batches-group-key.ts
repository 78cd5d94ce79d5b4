import type { Kysely, Migration } from 'kysely';

/**
 * `batches.group_key`: the `groupBy` key every task of the group shared (a tenant, a customer),
 * NULL for a task type without `groupBy` and for every batch written before. Nullable with no
 * default, so adding it rewrites no row and holds its lock only for a moment.
 */
export const addBatchesGroupKey: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('batches').addColumn('group_key', 'text').execute();
  },

  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('batches').dropColumn('group_key').execute();
  },
};
