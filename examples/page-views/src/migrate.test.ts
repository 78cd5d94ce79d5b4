import pg from 'pg';
import { test } from '@sluice/testkit';
import { describe, expect } from 'vitest';
import { applyMigrations } from './migrate.js';

const query = async <T extends pg.QueryResultRow>(databaseUrl: string, text: string): Promise<T[]> => {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return (await client.query<T>(text)).rows;
  } finally {
    await client.end();
  }
};

describe('applyMigrations', () => {
  test('creates page_views once: a second run applies nothing', async ({ databaseUrl }) => {
    expect(await applyMigrations(databaseUrl)).toEqual(['001_page_views.sql']);
    expect(await applyMigrations(databaseUrl)).toEqual([]);
    expect(await query(databaseUrl, 'SELECT count(*)::int AS n FROM page_views')).toEqual([{ n: 0 }]);
  });

  test('gives page_views no unique key on task_id: exactly once is up to Sluice', async ({ databaseUrl }) => {
    await applyMigrations(databaseUrl);
    // Every unique index (a primary key is one) and the columns it covers.
    const unique = await query<{ index: string; columns: string[] }>(
      databaseUrl,
      `SELECT i.indexrelid::regclass::text AS index, array_agg(a.attname::text ORDER BY a.attname) AS columns
       FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
       WHERE i.indrelid = 'page_views'::regclass AND i.indisunique
       GROUP BY i.indexrelid`,
    );
    expect(unique).toEqual([{ index: 'page_views_pkey', columns: ['id'] }]);
  });
});
