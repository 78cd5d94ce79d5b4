import { test } from '@sluice/testkit';
import { describe, expect } from 'vitest';
import { createDb } from '../create-db.js';
import { createStore } from '../store.js';

describe('ping', () => {
  test('resolves when the database answers', async ({ databaseUrl }) => {
    const db = createDb(databaseUrl, { poolSize: 1 });
    try {
      await expect(createStore(db).ping()).resolves.toBeUndefined();
    } finally {
      await db.destroy();
    }
  });

  test('rejects with the connection error when the server cannot be reached', async () => {
    const db = createDb('postgres://postgres@127.0.0.1:1/sluice', { poolSize: 1 });
    try {
      await expect(createStore(db).ping()).rejects.toThrow(/ECONNREFUSED/);
    } finally {
      await db.destroy();
    }
  });
});
