import { test as base } from '@sluice/testkit';
import { sql, type Kysely } from 'kysely';
import pg from 'pg';
import { describe, expect } from 'vitest';
import { createDb } from './create-db.js';
import { isDataError } from './is-data-error.js';
import { isTransientError } from './is-transient-error.js';
import type { Database } from './schema.js';
import { ping } from './sql/ping.js';

/** A pool of its own for the test, and a second one to act on it from outside. */
const test = base.extend<{ readonly db: Kysely<Database>; readonly admin: Kysely<Database> }>({
  db: async ({ databaseUrl }, use) => {
    const db = createDb(databaseUrl, { poolSize: 2, onIdleClientError: () => undefined });
    await use(db);
    await db.destroy();
  },
  admin: async ({ databaseUrl }, use) => {
    const admin = createDb(databaseUrl, { poolSize: 2 });
    await use(admin);
    await admin.destroy();
  },
});

/** Raises a real server error carrying `sqlState`, as PostgreSQL itself would send it. */
const raise = (db: Kysely<Database>, sqlState: string): Promise<unknown> =>
  sql`DO $$ BEGIN RAISE EXCEPTION 'raised for the test' USING ERRCODE = '${sql.raw(sqlState)}'; END $$`
    .execute(db)
    .catch((error: unknown) => error);

/** Ends the session of the first other backend found running `query`. */
const terminateWhenRunning = async (admin: Kysely<Database>, query: string): Promise<void> => {
  for (;;) {
    const { rows } = await sql<{ terminated: boolean }>`
      SELECT pg_terminate_backend(pid) AS terminated FROM pg_stat_activity
      WHERE query = ${query} AND state = 'active' AND pid <> pg_backend_pid()
    `.execute(admin);
    if (rows.some((row) => row.terminated)) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

describe('isTransientError', () => {
  test('is true when nothing listens on the port (ECONNREFUSED)', async () => {
    const db = createDb('postgres://postgres@127.0.0.1:1/sluice', { poolSize: 1 });
    try {
      const failure = await ping(db).catch((error: unknown) => error);

      expect(failure).toMatchObject({ code: 'ECONNREFUSED' });
      expect(isTransientError(failure)).toBe(true);
      expect(isDataError(failure)).toBe(false);
    } finally {
      await db.destroy();
    }
  });

  test('is true when the pool has no connection to give in time', async ({ databaseUrl }) => {
    const db = createDb(databaseUrl, { poolSize: 1, connectTimeoutMs: 50 });
    try {
      // The pool's only connection is held while a second query asks for one. On a loaded
      // machine opening that first connection can itself take over 50 ms; such a try says nothing
      // about the wait for a free connection, so it is made again.
      let failure: unknown;
      for (let attempt = 0; failure === undefined && attempt < 50; attempt += 1) {
        failure = await db
          .connection()
          .execute(() =>
            ping(db).then(
              () => 'answered',
              (error: unknown) => error,
            ),
          )
          .catch(() => undefined);
      }

      expect(failure).toMatchObject({ message: 'timeout exceeded when trying to connect' });
      expect(isTransientError(failure)).toBe(true);
    } finally {
      await db.destroy();
    }
  });

  test('is true for a statement timeout (57014)', async ({ db }) => {
    const failure = await db
      .transaction()
      .execute(async (trx) => {
        await sql`SET LOCAL statement_timeout = '20ms'`.execute(trx);
        await sql`SELECT pg_sleep(30)`.execute(trx);
      })
      .catch((error: unknown) => error);

    expect(failure).toMatchObject({ code: '57014' });
    expect(isTransientError(failure)).toBe(true);
  });

  test("is true for node-postgres's own query timeout (no answer from the server in time)", async ({ databaseUrl }) => {
    // The server stays quiet for 300 ms; the client waits 50.
    const db = createDb(databaseUrl, { poolSize: 1, statementTimeoutMs: 0, queryTimeoutMs: 50 });
    try {
      const failure = await sql`SELECT pg_sleep(0.3)`.execute(db).catch((error: unknown) => error);

      expect(failure).toMatchObject({ message: 'Query read timeout' });
      expect(isTransientError(failure)).toBe(true);
      expect(isDataError(failure)).toBe(false);
    } finally {
      await db.destroy();
    }
  });

  test('is true for a row lock that is not available (55P03)', async ({ db, admin }) => {
    await sql`CREATE TABLE lock_target (id integer PRIMARY KEY)`.execute(admin);
    await sql`INSERT INTO lock_target VALUES (1)`.execute(admin);
    const failure = await admin.transaction().execute(async (holder) => {
      await sql`SELECT id FROM lock_target FOR UPDATE`.execute(holder);
      return sql`SELECT id FROM lock_target FOR UPDATE NOWAIT`.execute(db).catch((error: unknown) => error);
    });

    expect(failure).toMatchObject({ code: '55P03' });
    expect(isTransientError(failure)).toBe(true);
  });

  test('is true for a session ended by the server while a statement runs', async ({ db, admin }) => {
    const query = 'SELECT pg_sleep(30) /* to be terminated */';
    const running = sql
      .raw(query)
      .execute(db)
      .catch((error: unknown) => error);
    await terminateWhenRunning(admin, query);

    const failure = await running;

    // 57P01 "terminating connection due to administrator command", or the socket closing first.
    expect(failure).toBeInstanceOf(Error);
    expect(isTransientError(failure)).toBe(true);
    expect(isDataError(failure)).toBe(false);
  });

  test('is true for a query on a client whose connection was lost', async ({ databaseUrl, admin }) => {
    const client = new pg.Client({ connectionString: databaseUrl });
    // `on`, not `once`: the server's FATAL message and then the socket closing each emit an
    // 'error', and the second, unheard, would be an uncaught exception.
    const lost = new Promise<unknown>((resolve) => client.on('error', resolve));
    await client.connect();
    try {
      const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      await sql`SELECT pg_terminate_backend(${rows[0]?.pid ?? 0})`.execute(admin);
      expect(isTransientError(await lost)).toBe(true);

      const failure = await client.query('SELECT 1').catch((error: unknown) => error);

      expect(failure).toMatchObject({
        message: 'Client has encountered a connection error and is not queryable',
      });
      expect(isTransientError(failure)).toBe(true);
    } finally {
      await client.end();
    }
  });

  test.for([
    ['08006', 'connection failure'],
    ['08001', 'unable to establish a connection'],
    ['40001', 'serialization failure'],
    ['40P01', 'deadlock detected'],
    ['53100', 'disk full'],
    ['53300', 'too many connections'],
    ['55P03', 'lock not available'],
    ['57014', 'query canceled'],
    ['57P01', 'admin shutdown'],
    ['57P02', 'crash shutdown'],
    ['57P03', 'cannot connect now'],
  ] as const)('is true for a server error with SQLSTATE %s (%s)', async ([sqlState], { db }) => {
    const failure = await raise(db, sqlState);

    expect(failure).toMatchObject({ code: sqlState });
    expect(isTransientError(failure)).toBe(true);
    expect(isDataError(failure)).toBe(false);
  });

  test.for([
    ['22P02', 'a value that does not parse'],
    ['23514', 'a check violation'],
    ['42601', 'a syntax error'],
    ['42P01', 'an unknown table'],
    ['54000', 'a program limit'],
  ] as const)('is false for SQLSTATE %s (%s): trying again fails the same way', async ([sqlState], { db }) => {
    const failure = await raise(db, sqlState);

    expect(failure).toMatchObject({ code: sqlState });
    expect(isTransientError(failure)).toBe(false);
  });

  test('looks through a cause and an AggregateError', async () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });

    expect(isTransientError(new Error('commit failed', { cause: refused }))).toBe(true);
    expect(isTransientError(new AggregateError([new Error('other'), refused]))).toBe(true);
    expect(isTransientError(new AggregateError([new Error('other')]))).toBe(false);
  });

  test('is false for errors that say nothing about the connection, and for non-errors', () => {
    for (const other of [new Error('boom'), new TypeError('x is undefined'), undefined, null, 'ECONNRESET', {}]) {
      expect(isTransientError(other)).toBe(false);
    }
  });
});
