import { Kysely, PostgresDialect } from 'kysely';
import { createPool, type DbOptions } from './create-pool.js';
import { dropTimedOutConnections } from './drop-timed-out-connections.js';
import type { Database } from './schema.js';

/**
 * Opens a connection pool to PostgreSQL and wraps it in Kysely. Nothing connects until the
 * first query. The caller owns the result: `await db.destroy()` closes the pool.
 *
 * No statement waits forever: the server cancels one that runs past `statementTimeoutMs`, the
 * client gives up on one it hears nothing about for `queryTimeoutMs` and closes that
 * connection, and TCP keepalive finds an idle connection whose server is gone (see
 * {@link DbOptions}). Each of these fails with an error `isTransientError` recognises.
 *
 * @example
 * const db = createDb(config.databaseUrl, { poolSize: config.dbPoolSize, ...config.dbConnection });
 * const store = createStore(db);
 * // …
 * await db.destroy();
 */
export const createDb = (url: string, options: DbOptions = {}): Kysely<Database> =>
  new Kysely<Database>({
    dialect: new PostgresDialect({ pool: dropTimedOutConnections(createPool(url, options)) }),
  });
