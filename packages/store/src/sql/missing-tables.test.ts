import { test } from '@sluice/testkit';
import { sql } from 'kysely';
import { describe, expect } from 'vitest';
import { createDb } from '../create-db.js';
import { createStore } from '../store.js';

describe('missingTables', () => {
  test('names the tables the database does not have, in the order given, matching each part as written', async ({
    databaseUrl,
  }) => {
    const db = createDb(databaseUrl, { poolSize: 1 });
    try {
      await sql`CREATE TABLE page_views (task_id text)`.execute(db);
      await sql`CREATE SCHEMA analytics`.execute(db);
      await sql`CREATE TABLE analytics."Events" (task_id text)`.execute(db);

      const missing = await createStore(db).missingTables([
        'nowhere',
        'page_views',
        'analytics.Events',
        'analytics.events',
        'public.page_views',
      ]);

      expect(missing).toEqual(['nowhere', 'analytics.events']);
    } finally {
      await db.destroy();
    }
  });

  test('asks nothing for no tables', async () => {
    // Nothing listens on port 1: a query would reject.
    const db = createDb('postgres://postgres@127.0.0.1:1/sluice', { poolSize: 1 });
    try {
      await expect(createStore(db).missingTables([])).resolves.toEqual([]);
    } finally {
      await db.destroy();
    }
  });
});
