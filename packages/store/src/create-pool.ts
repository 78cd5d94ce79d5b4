import pg from 'pg';
import { typeParsers } from './type-parsers.js';

/** How `createDb` sizes and watches its connection pool. */
export interface DbOptions {
  /** Connections the pool may open. Default 10 (node-postgres's own default). */
  readonly poolSize?: number;
  /**
   * How long to wait for a connection (a new one, or a free one from a full pool), in ms.
   * Default 10,000: long enough for a busy pool, short enough that an unreachable server shows
   * up as an error rather than a hang.
   */
  readonly connectTimeoutMs?: number;
  /**
   * Called when an idle pooled connection fails (the server restarted, say). The pool has
   * already dropped the connection; the next query opens a new one. Default: a process warning
   * (`process.emitWarning`), which prints to stderr and can be observed with
   * `process.on('warning')`.
   */
  readonly onIdleClientError?: (error: Error) => void;
}

const defaults = { poolSize: 10, connectTimeoutMs: 10_000 } as const;

const warn = (error: Error): void => {
  process.emitWarning(`idle PostgreSQL connection failed: ${error.message}`, {
    code: 'SLUICE_PG_IDLE_CLIENT',
  });
};

/**
 * A node-postgres pool with Sluice's settings. Internal: `createDb` is the public way in;
 * tests wrap this pool to watch what is sent to the server.
 */
export const createPool = (url: string, options: DbOptions = {}): pg.Pool => {
  const { poolSize, connectTimeoutMs, onIdleClientError } = { ...defaults, ...options };
  if (!Number.isInteger(poolSize) || poolSize < 1) {
    throw new RangeError(`poolSize must be a whole number of at least 1, got ${poolSize}`);
  }
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    connectionTimeoutMillis: connectTimeoutMs,
    application_name: 'sluice',
    types: typeParsers,
  });
  // Without a listener, an 'error' event from an idle client is an uncaught exception that
  // kills the process; a restarting database must not take every worker down with it.
  pool.on('error', onIdleClientError ?? warn);
  // A connection can also fail while checked out: the server ends the session in the middle of
  // a transaction, say. node-postgres then rejects the running statement (or the next one) with
  // the error, which is how the caller learns of it, and also emits it on the client, where
  // the pool listens only while the client is idle. Unheard, that emit would kill the process.
  pool.on('connect', (client) => {
    client.on('error', () => undefined);
  });
  return pool;
};
