import type { PostgresPool, PostgresPoolClient } from 'kysely';
import type pg from 'pg';

/** One call of `client.query`: exactly what went to the server. */
export interface SentStatement {
  readonly sql: string;
  readonly parameters: ReadonlyArray<unknown>;
}

/** A pool for Kysely's PostgresDialect that records every statement its clients send. */
export interface StatementLog {
  readonly pool: PostgresPool;
  /** Everything sent so far, in order. */
  readonly sent: ReadonlyArray<SentStatement>;
  /** Forgets what was sent (e.g. after the migrations). */
  clear(): void;
}

/**
 * Wraps a node-postgres pool so every `query` its clients run is recorded. Kysely's dialect
 * needs only `connect()` and `end()` of a pool and `query()`/`release()` of a client, so this
 * sees every statement Kysely sends: transaction control included.
 */
export const recordStatements = (inner: pg.Pool): StatementLog => {
  const sent: SentStatement[] = [];
  const wrap = (client: pg.PoolClient): PostgresPoolClient => ({
    // Kysely only streams with a cursor when asked to; the store never does, so a
    // non-string first argument is recorded by its kind and passed through untouched.
    query: ((text: unknown, parameters?: ReadonlyArray<unknown>) => {
      sent.push({
        sql: typeof text === 'string' ? text : '<cursor>',
        parameters: parameters ?? [],
      });
      return (client.query as (text: unknown, parameters?: ReadonlyArray<unknown>) => unknown)(text, parameters);
    }) as PostgresPoolClient['query'],
    release: (destroy) => client.release(destroy),
  });
  return {
    pool: {
      connect: async () => wrap(await inner.connect()),
      end: () => inner.end(),
    },
    get sent() {
      return [...sent];
    },
    clear: () => {
      sent.length = 0;
    },
  };
};
