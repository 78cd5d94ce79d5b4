import { QUERY_READ_TIMEOUT } from './drop-timed-out-connections.js';
import { errorChain } from './error-chain.js';
import { sqlStateOf } from './sql-state.js';

/**
 * SQLSTATE classes where the server, not the statement, is the problem: 08 connection
 * exception and 53 insufficient resources (disk full, out of memory, too many connections).
 */
const TRANSIENT_CLASSES: ReadonlySet<string> = new Set(['08', '53']);

/** Single SQLSTATEs that mean "try again later". */
const TRANSIENT_STATES: ReadonlySet<string> = new Set([
  '40001', // serialization_failure: the textbook "retry the transaction"
  '40P01', // deadlock_detected: the other transaction won; ours was rolled back
  '55P03', // lock_not_available: lock_timeout expired or NOWAIT found the row locked
  '57014', // query_canceled: statement_timeout, or pg_cancel_backend
  '57P01', // admin_shutdown: the server is stopping, or pg_terminate_backend
  '57P02', // crash_shutdown: another backend crashed and the server is restarting
  '57P03', // cannot_connect_now: the server is starting up or in recovery
]);

/**
 * Socket errors Node reports before or instead of any PostgreSQL answer. ENETUNREACH and
 * EAI_AGAIN are not in the usual list but come from the same situations: a network that is
 * briefly down, a DNS server that did not answer in time (compose starting the database).
 */
const TRANSIENT_SOCKET_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);

/**
 * node-postgres reports a lost or unobtainable connection as a plain `Error` with no code;
 * these messages are all there is to go by (pg 8 `client.js`, pg-pool 3 `index.js`).
 */
const TRANSIENT_DRIVER_MESSAGES: ReadonlySet<string> = new Set([
  'Connection terminated unexpectedly',
  // Our own pool closed under a running statement (shutdown): the group was not committed.
  'Connection terminated',
  'Connection terminated due to connection timeout',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error and is not queryable',
  // query_timeout passed with no answer: a server gone without a word, or one too busy to cancel
  // the statement itself. Like a connection lost mid-statement, its outcome is in doubt (below).
  QUERY_READ_TIMEOUT,
]);

const codeOf = (error: unknown): string | undefined =>
  typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string'
    ? error.code
    : undefined;

const isTransientLink = (error: unknown): boolean => {
  const state = sqlStateOf(error);
  if (state !== undefined && (TRANSIENT_STATES.has(state) || TRANSIENT_CLASSES.has(state.slice(0, 2)))) {
    return true;
  }
  const code = codeOf(error);
  if (code !== undefined && TRANSIENT_SOCKET_CODES.has(code)) return true;
  return error instanceof Error && TRANSIENT_DRIVER_MESSAGES.has(error.message);
};

/**
 * Whether `error` says "the database could not do it right now" rather than "it cannot be
 * done": a lost or refused connection, a server shutting down or starting up, a deadlock or
 * serialization failure, a lock or statement timeout, a server that did not answer within the
 * client's query timeout, a server out of resources. Looks through `cause` and `AggregateError`
 * wrappers.
 *
 * For a failed `commitGroup` this means nothing was written (the commit is one transaction)
 * and the whole group can be tried again later. One case is in doubt: a connection lost, or a
 * query timeout passed, while the writing statement or COMMIT was on the wire may have
 * committed; trying again is still safe for the task rows, which `ON CONFLICT (id, submitted_at) DO NOTHING`
 * never writes twice.
 *
 * @example
 * try {
 *   await store.commitGroup(group);
 * } catch (error) {
 *   if (isTransientError(error)) retryLater(group);
 *   else throw error;
 * }
 */
export const isTransientError = (error: unknown): boolean => errorChain(error).some(isTransientLink);
