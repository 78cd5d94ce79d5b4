import { Kysely, PostgresDialect } from 'kysely';
import { createPool, type DbOptions } from './create-pool.js';
import type { Database } from './schema.js';

/**
 * Opens a connection pool to PostgreSQL and wraps it in Kysely. Nothing connects until the
 * first query. The caller owns the result: `await db.destroy()` closes the pool.
 *
 * @example
 * const db = createDb(config.databaseUrl, { poolSize: config.dbPoolSize });
 * const store = createStore(db);
 * // …
 * await db.destroy();
 */
export const createDb = (url: string, options: DbOptions = {}): Kysely<Database> =>
  new Kysely<Database>({ dialect: new PostgresDialect({ pool: createPool(url, options) }) });
