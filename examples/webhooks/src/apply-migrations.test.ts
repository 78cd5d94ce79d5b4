import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from '@sluice/testkit';
import pg from 'pg';
import { describe, expect } from 'vitest';
import { applyMigrations } from './apply-migrations.js';

/** Runs `body` with a client on `databaseUrl`, and closes it. */
const withClient = async <T>(databaseUrl: string, body: (client: pg.Client) => Promise<T>): Promise<T> => {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return await body(client);
  } finally {
    await client.end();
  }
};

describe('applyMigrations', () => {
  test('creates webhook_deliveries once: a second run, even at the same time as the first, applies nothing', async ({
    databaseUrl,
  }) => {
    const runs = await Promise.all([1, 2].map(() => withClient(databaseUrl, (client) => applyMigrations(client))));
    expect([...runs].sort((a, b) => b.length - a.length)).toEqual([['001_webhook_deliveries.sql'], []]);
    expect(await withClient(databaseUrl, (client) => applyMigrations(client))).toEqual([]);
    const columns = await withClient(databaseUrl, async (client) => {
      const { rows } = await client.query<{ column_name: string }>(
        "SELECT column_name FROM information_schema.columns WHERE table_name = 'webhook_deliveries' ORDER BY ordinal_position",
      );
      return rows.map((row) => row.column_name);
    });
    expect(columns).toEqual([
      'id',
      'task_id',
      'customer_id',
      'url',
      'event',
      'delivery_id',
      'provider_status',
      'attempts',
      'delivered_at',
    ]);
  });

  test('leaves the schema as it was when a migration fails, naming the file', async ({ databaseUrl }) => {
    const dir = await mkdtemp(join(tmpdir(), 'webhooks-migrations-'));
    try {
      await writeFile(join(dir, '001_good.sql'), 'CREATE TABLE good (id integer);');
      await writeFile(join(dir, '002_bad.sql'), 'CREATE TABLE bad (id no_such_type);');
      await expect(withClient(databaseUrl, (client) => applyMigrations(client, dir))).rejects.toThrow(
        'migration 002_bad.sql failed, nothing applied: type "no_such_type" does not exist',
      );
      const tables = await withClient(databaseUrl, async (client) => {
        const { rows } = await client.query<{ name: string }>(
          "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public'",
        );
        return rows.map((row) => row.name);
      });
      expect(tables).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
