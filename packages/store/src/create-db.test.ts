import { readFile } from 'node:fs/promises';
import { sql } from 'kysely';
import { describe, expect } from 'vitest';
import { test, waitFor } from '@sluice/testkit';
import { createDb } from './create-db.js';
import { isTransientError } from './is-transient-error.js';
import { ping } from './sql/ping.js';
import { createStore } from './store.js';
import { finishedTasks, groupOf } from './test-groups.js';
import { test as storeTest } from './test-store.js';
import { startTcpProxy, type TcpProxy } from './test-tcp-proxy.js';

describe('createDb', () => {
  test('reads bigint and numeric results as numbers', async ({ databaseUrl }) => {
    const db = createDb(databaseUrl, { poolSize: 1 });
    try {
      const { rows } = await sql<{ count: unknown; average: unknown }>`
        SELECT count(*) AS count, avg(n) AS average FROM generate_series(1, 4) AS n
      `.execute(db);
      expect(rows).toEqual([{ count: 4, average: 2.5 }]);
    } finally {
      await db.destroy();
    }
  });

  test('survives the server dropping an idle connection, and reconnects', async ({ databaseUrl }) => {
    const idleErrors: Error[] = [];
    const db = createDb(databaseUrl, { poolSize: 1, onIdleClientError: (error) => idleErrors.push(error) });
    const admin = createDb(databaseUrl, { poolSize: 1 });
    try {
      const { rows } = await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`.execute(db);
      const pid = rows[0]?.pid ?? 0;

      await sql`SELECT pg_terminate_backend(${pid})`.execute(admin);
      await expect.poll(() => idleErrors.length).toBe(1);

      await expect(ping(db)).resolves.toBeUndefined();
    } finally {
      await Promise.all([db.destroy(), admin.destroy()]);
    }
  });

  test('survives the server ending a connection in the middle of a transaction', async ({ databaseUrl }) => {
    const db = createDb(databaseUrl, { poolSize: 1 });
    const admin = createDb(databaseUrl, { poolSize: 1 });
    try {
      const failure = await db
        .transaction()
        .execute(async (trx) => {
          const { rows } = await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`.execute(trx);
          await sql`SELECT pg_terminate_backend(${rows[0]?.pid ?? 0})`.execute(admin);
          await sql`SELECT 1`.execute(trx);
        })
        .catch((error: unknown) => error);

      // Reported to the caller, not as an uncaught 'error' event that would end the process.
      expect(failure).toBeInstanceOf(Error);
      await expect(ping(db)).resolves.toBeUndefined();
    } finally {
      await Promise.all([db.destroy(), admin.destroy()]);
    }
  });

  test('ends a session left idle inside a transaction for longer than the statement timeout, so its locks go', async ({
    databaseUrl,
  }) => {
    const db = createDb(databaseUrl, { poolSize: 1, statementTimeoutMs: 1_000, onIdleClientError: () => undefined });
    const admin = createDb(databaseUrl, { poolSize: 1 });
    try {
      const stuck = db.transaction().execute(async (trx) => {
        await sql`SELECT pg_advisory_xact_lock(42)`.execute(trx);
        // A process stalled mid-transaction: the lock stays held until the server ends the session.
        await waitFor(
          async () =>
            (await sql<{ taken: boolean }>`SELECT pg_try_advisory_lock(42) AS taken`.execute(admin)).rows[0]?.taken,
          { what: 'the lock free again', timeoutMs: 30_000 },
        );
        await sql`SELECT 1`.execute(trx);
      });

      // The stalled commit learns it on its next statement, as a transient error: retried, no attempt spent.
      const failure = await stuck.then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(failure).toBeInstanceOf(Error);
      expect(isTransientError(failure)).toBe(true);
      await sql`SELECT pg_advisory_unlock(42)`.execute(admin);
      await expect(ping(db)).resolves.toBeUndefined();
    } finally {
      await Promise.all([db.destroy(), admin.destroy()]);
    }
  });

  test('refuses a pool size below one', () => {
    expect(() => createDb('postgres://127.0.0.1/x', { poolSize: 0 })).toThrow(/poolSize/);
  });

  test('refuses a query timeout the statement timeout cannot beat, and a keepalive delay under a second', () => {
    const url = 'postgres://127.0.0.1/x';
    expect(() => createDb(url, { statementTimeoutMs: 1_000, queryTimeoutMs: 1_000 })).toThrow(
      /queryTimeoutMs \(1000\) must be above statementTimeoutMs \(1000\)/,
    );
    expect(() => createDb(url, { statementTimeoutMs: -1 })).toThrow(/statementTimeoutMs must be a whole number/);
    expect(() => createDb(url, { keepAliveInitialDelayMs: 500 })).toThrow(/keepAliveInitialDelayMs must be 0 \(off\)/);
    // Unset, the query timeout follows the statement timeout; 0 turns either off.
    expect(() => createDb(url, { statementTimeoutMs: 60_000 })).not.toThrow();
    expect(() => createDb(url, { statementTimeoutMs: 0, queryTimeoutMs: 100 })).not.toThrow();
  });
});

/** `databaseUrl` with the proxy in the way. */
const through = (databaseUrl: string, proxy: TcpProxy): string => {
  const url = new URL(databaseUrl);
  url.hostname = '127.0.0.1';
  url.port = String(proxy.port);
  return url.href;
};

const proxyFor = (databaseUrl: string): Promise<TcpProxy> => {
  const { hostname, port } = new URL(databaseUrl);
  return startTcpProxy({ host: hostname, port: Number(port) });
};

/** Short, so the specs take a second; the vitest timeout is several times it, so a hang fails. */
const QUERY_TIMEOUT_MS = 500;
const STATEMENT_TIMEOUT_MS = 250;

describe('createDb, when the network path to the server dies without a word (a half-open connection)', () => {
  storeTest(
    'fails a group commit within the query timeout with a transient error, then commits on a new connection once the path is back',
    { timeout: 20 * QUERY_TIMEOUT_MS },
    async ({ databaseUrl, db: direct }) => {
      const proxy = await proxyFor(databaseUrl);
      // One connection: the commit after the fault can only succeed if the dead one was dropped.
      const db = createDb(through(databaseUrl, proxy), {
        poolSize: 1,
        statementTimeoutMs: STATEMENT_TIMEOUT_MS,
        queryTimeoutMs: QUERY_TIMEOUT_MS,
      });
      const store = createStore(db);
      try {
        await ping(db);
        proxy.cut();
        const started = performance.now();

        const failure = await store.commitGroup(groupOf(finishedTasks(10))).catch((error: unknown) => error);

        expect(performance.now() - started).toBeLessThan(2 * QUERY_TIMEOUT_MS);
        expect(failure).toBeInstanceOf(Error);
        expect(isTransientError(failure)).toBe(true);

        proxy.mend();
        const group = groupOf(finishedTasks(10));
        await expect(store.commitGroup(group)).resolves.toMatchObject({ inserted: 10, duplicates: 0 });
        expect(await createStore(direct).findBatch(group.batch.id)).toMatchObject({ size: 10, completed: 10 });
      } finally {
        await db.destroy();
        await proxy.close();
      }
    },
  );

  test('ends a transaction within one query timeout: its ROLLBACK does not wait out a second one', {
    timeout: 20 * QUERY_TIMEOUT_MS,
  }, async ({ databaseUrl }) => {
    const proxy = await proxyFor(databaseUrl);
    const db = createDb(through(databaseUrl, proxy), {
      poolSize: 1,
      statementTimeoutMs: STATEMENT_TIMEOUT_MS,
      queryTimeoutMs: QUERY_TIMEOUT_MS,
    });
    try {
      const started = performance.now();

      const failure = await db
        .transaction()
        .execute(async (trx) => {
          await sql`SELECT 1`.execute(trx);
          proxy.cut();
          await sql`SELECT 2`.execute(trx);
        })
        .catch((error: unknown) => error);

      expect(performance.now() - started).toBeLessThan(2 * QUERY_TIMEOUT_MS);
      expect(isTransientError(failure)).toBe(true);
      proxy.mend();
      await expect(ping(db)).resolves.toBeUndefined();
    } finally {
      await db.destroy();
      await proxy.close();
    }
  });

  test('lets the server cancel a slow statement (57014) before the client gives up on the connection', async ({
    databaseUrl,
  }) => {
    const db = createDb(databaseUrl, {
      poolSize: 1,
      statementTimeoutMs: STATEMENT_TIMEOUT_MS,
      queryTimeoutMs: QUERY_TIMEOUT_MS,
    });
    try {
      const { rows } = await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`.execute(db);

      const failure = await sql`SELECT pg_sleep(5)`.execute(db).catch((error: unknown) => error);

      expect(failure).toMatchObject({ code: '57014' });
      expect(isTransientError(failure)).toBe(true);
      // The same session goes on: a cancelled statement costs no connection.
      const after = await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`.execute(db);
      expect(after.rows).toEqual(rows);
    } finally {
      await db.destroy();
    }
  });

  test.runIf(process.platform === 'linux')(
    'turns TCP keepalive on, so the kernel probes an idle connection after the configured delay',
    async ({ databaseUrl }) => {
      const db = createDb(databaseUrl, { poolSize: 1, keepAliveInitialDelayMs: 7_000 });
      try {
        const { rows } = await sql<{ port: number }>`
          SELECT client_port AS port FROM pg_stat_activity WHERE pid = pg_backend_pid()
        `.execute(db);
        const port = rows[0]?.port ?? 0;

        // The client's socket, as the kernel sees it: `tr` 2 is a running keepalive timer, and
        // `tm->when` counts down to its first probe in hundredths of a second.
        const socket = (await readFile('/proc/net/tcp', 'utf8'))
          .split('\n')
          .map((line) => line.trim().split(/\s+/))
          .find((fields) => fields[1]?.endsWith(`:${port.toString(16).toUpperCase().padStart(4, '0')}`));
        const [timer, when] = (socket?.[5] ?? '').split(':');

        expect(timer).toBe('02');
        expect(Number.parseInt(when ?? '', 16)).toBeLessThanOrEqual(700);
      } finally {
        await db.destroy();
      }
    },
  );
});
