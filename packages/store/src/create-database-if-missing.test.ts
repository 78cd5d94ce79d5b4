import { dropDatabase, test } from '@sluice/testkit';
import { describe, expect } from 'vitest';
import { createDatabaseIfMissing } from './create-database-if-missing.js';
import { createDb } from './create-db.js';
import { ping } from './sql/ping.js';

const withName = (url: string, name: string): string => {
  const renamed = new URL(url);
  renamed.pathname = `/${name}`;
  return renamed.toString();
};

describe('createDatabaseIfMissing', () => {
  test('leaves an existing database alone', async ({ databaseUrl }) => {
    expect(await createDatabaseIfMissing(databaseUrl)).toBe(false);
  });

  test('creates the database once when two processes ask at the same time', async ({ databaseUrl }) => {
    // A name that needs quoting: it must reach CREATE DATABASE as an identifier, intact.
    const name = `${new URL(databaseUrl).pathname.slice(1)}_Odd "Name"`;
    const target = withName(databaseUrl, encodeURIComponent(name));
    try {
      const created = await Promise.all([createDatabaseIfMissing(target), createDatabaseIfMissing(target)]);

      expect([...created].sort()).toEqual([false, true]);
      const db = createDb(target, { poolSize: 1 });
      await expect(ping(db)).resolves.toBeUndefined();
      await db.destroy();
    } finally {
      await dropDatabase(withName(databaseUrl, 'postgres'), target);
    }
  });
});
