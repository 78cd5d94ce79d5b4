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
   * Longest a statement may run on the server before PostgreSQL cancels it (SQLSTATE 57014, a
   * transient error), in ms; sent as the session's `statement_timeout`. Default 30,000: far
   * above any statement Sluice sends (a group commit takes milliseconds), so only a statement
   * that is stuck (waiting on a lock a forgotten transaction holds, say) is cut short. Also the
   * session's `idle_in_transaction_session_timeout`: a session idle that long inside a
   * transaction is ended, releasing its locks. 0 sets neither, and the server's own settings apply.
   */
  readonly statementTimeoutMs?: number;
  /**
   * Longest the client waits for the server's answer to a statement before giving up on it and
   * on its connection, in ms (node-postgres's `query_timeout`; the error reads "Query read
   * timeout", a transient error). This is what ends a statement on a half-open connection,
   * whose server is gone without a word and can neither answer nor cancel. Default
   * `statementTimeoutMs` + 5,000 (35,000), or 0 when that is 0. When both are set it must be
   * above `statementTimeoutMs`, so that a server that is merely slow cancels the statement
   * itself and the connection survives. 0 waits forever.
   */
  readonly queryTimeoutMs?: number;
  /**
   * Idle time after which the kernel starts TCP keepalive probes on a connection, in ms (whole
   * seconds: the kernel counts in seconds). Default 10,000. Node then probes every second, ten
   * times, so a connection whose server vanished is found dead about 20 s after it went quiet,
   * and an idle one is dropped from the pool before a query is sent on it; the probes also keep
   * a firewall or NAT from forgetting a quiet connection. 0 turns keepalive off (the OS
   * default without it: two hours before the first probe).
   */
  readonly keepAliveInitialDelayMs?: number;
  /**
   * Called when an idle pooled connection fails (the server restarted, say). The pool has
   * already dropped the connection; the next query opens a new one. Default: a process warning
   * (`process.emitWarning`), which prints to stderr and can be observed with
   * `process.on('warning')`.
   */
  readonly onIdleClientError?: (error: Error) => void;
}

const defaults = {
  poolSize: 10,
  connectTimeoutMs: 10_000,
  statementTimeoutMs: 30_000,
  keepAliveInitialDelayMs: 10_000,
} as const;

/** Room for the server's own cancellation (57014) to arrive before the client gives up. */
const QUERY_TIMEOUT_MARGIN_MS = 5_000;

const checkMs = (field: string, value: number): void => {
  if (!Number.isInteger(value) || value < 0) {
    throw new RangeError(`${field} must be a whole number of milliseconds, 0 or more, got ${value}`);
  }
};

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
  const { poolSize, connectTimeoutMs, statementTimeoutMs, keepAliveInitialDelayMs, onIdleClientError } = {
    ...defaults,
    ...options,
  };
  const queryTimeoutMs =
    options.queryTimeoutMs ?? (statementTimeoutMs === 0 ? 0 : statementTimeoutMs + QUERY_TIMEOUT_MARGIN_MS);
  if (!Number.isInteger(poolSize) || poolSize < 1) {
    throw new RangeError(`poolSize must be a whole number of at least 1, got ${poolSize}`);
  }
  checkMs('statementTimeoutMs', statementTimeoutMs);
  checkMs('queryTimeoutMs', queryTimeoutMs);
  checkMs('keepAliveInitialDelayMs', keepAliveInitialDelayMs);
  if (statementTimeoutMs > 0 && queryTimeoutMs > 0 && queryTimeoutMs <= statementTimeoutMs) {
    throw new RangeError(
      `queryTimeoutMs (${queryTimeoutMs}) must be above statementTimeoutMs (${statementTimeoutMs}): ` +
        'a slow statement should be cancelled by the server, which keeps the connection, before the client gives up on it',
    );
  }
  if (keepAliveInitialDelayMs > 0 && keepAliveInitialDelayMs < 1_000) {
    throw new RangeError(
      `keepAliveInitialDelayMs must be 0 (off) or at least 1000, got ${keepAliveInitialDelayMs}: ` +
        'the kernel counts it in whole seconds',
    );
  }
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    connectionTimeoutMillis: connectTimeoutMs,
    application_name: 'sluice',
    types: typeParsers,
    // node-postgres sends neither when it is 0, leaving the server's setting and no client limit.
    statement_timeout: statementTimeoutMs,
    // A session idle inside a transaction for as long (a process stalled between two statements
    // of a commit) is ended by the server, so the row locks it holds do not outlive the stall.
    // Sluice's transactions only chain statements: a healthy one never idles that long.
    idle_in_transaction_session_timeout: statementTimeoutMs,
    query_timeout: queryTimeoutMs,
    keepAlive: keepAliveInitialDelayMs > 0,
    keepAliveInitialDelayMillis: keepAliveInitialDelayMs,
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
