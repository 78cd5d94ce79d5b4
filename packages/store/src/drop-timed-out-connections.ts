import type { PostgresPool, PostgresPoolClient } from 'kysely';
import type pg from 'pg';

/** How node-postgres rejects a statement when its `query_timeout` passes first (pg 8 `client.js`). */
export const QUERY_READ_TIMEOUT = 'Query read timeout';

const isReadTimeout = (error: unknown): boolean => error instanceof Error && error.message === QUERY_READ_TIMEOUT;

/**
 * `pool` as Kysely's dialect uses it, with one repair: a connection on which a statement ran
 * out its `query_timeout` is closed at once.
 *
 * node-postgres rejects such a statement but leaves it in flight: the client keeps waiting for
 * its answer, and every later statement on that connection queues behind it. On a half-open
 * connection (the server gone without a FIN) the answer never comes, so a transaction's
 * ROLLBACK would wait out a second timeout, and the connection, back in the pool, would fail
 * each later statement the same way. Destroying the socket fails whatever is queued at once,
 * and the pool discards a client that is no longer queryable when it is released.
 *
 * @example
 * new Kysely<Database>({ dialect: new PostgresDialect({ pool: dropTimedOutConnections(pool) }) });
 */
export const dropTimedOutConnections = (pool: pg.Pool): PostgresPool => {
  // One wrapper per client, as Kysely keeps its own per-connection state keyed by this object.
  const wrappers = new WeakMap<pg.PoolClient, PostgresPoolClient>();
  const wrap = (client: pg.PoolClient): PostgresPoolClient => {
    let timedOut = false;
    return {
      // Kysely passes a cursor only when its dialect is given a cursor class, and createDb gives
      // it none; one would go through untouched (and unguarded).
      query: ((text: unknown, parameters?: ReadonlyArray<unknown>) => {
        const run = client.query as (text: unknown, parameters?: ReadonlyArray<unknown>) => unknown;
        if (typeof text !== 'string') return run.call(client, text, parameters);
        return client.query(text, parameters === undefined ? [] : [...parameters]).catch((error: unknown) => {
          if (isReadTimeout(error)) {
            timedOut = true;
            client.connection.stream.destroy();
          }
          throw error;
        });
      }) as PostgresPoolClient['query'],
      // The socket closes a little later than destroy() returns; until then the pool would take
      // the client back as queryable and hand it out again.
      release: (destroy) => client.release(destroy === true || timedOut),
    };
  };
  return {
    connect: async () => {
      const client = await pool.connect();
      const known = wrappers.get(client);
      if (known !== undefined) return known;
      const wrapper = wrap(client);
      wrappers.set(client, wrapper);
      return wrapper;
    },
    end: () => pool.end(),
  };
};
