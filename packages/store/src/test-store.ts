import { test as base } from '@sluice/testkit';
import type { Kysely } from 'kysely';
import { createDb } from './create-db.js';
import { migrateToLatest } from './migrate-to-latest.js';
import type { Database } from './schema.js';
import { createStore, type Store } from './store.js';

export interface StoreFixtures {
  /** Kysely over the test's own migrated database; destroyed after the test. */
  readonly db: Kysely<Database>;
  /** A store over `db`. */
  readonly store: Store;
}

/** testkit's `test` plus a migrated database and a store over it. */
export const test = base.extend<StoreFixtures>({
  db: async ({ databaseUrl }, use) => {
    const db = createDb(databaseUrl, { poolSize: 4 });
    await migrateToLatest(db);
    await use(db);
    await db.destroy();
  },
  store: async ({ db }, use) => {
    await use(createStore(db));
  },
});

/** Rows in `table` now. */
export const countRows = async (db: Kysely<Database>, table: 'tasks' | 'batches'): Promise<number> => {
  const row = await db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return row.n;
};
