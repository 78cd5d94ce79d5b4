import { sql } from 'kysely';
import { describe, expect } from 'vitest';
import { test } from '@sluice/testkit';
import { createDb } from './create-db.js';
import { ping } from './sql/ping.js';

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

  test('refuses a pool size below one', () => {
    expect(() => createDb('postgres://127.0.0.1/x', { poolSize: 0 })).toThrow(/poolSize/);
  });
});
