import { dropDatabase, test } from '@sluice/testkit';
import pg from 'pg';
import { describe, expect } from 'vitest';
import { runMigrateCommand } from './migrate-command.js';

const recorder = () => {
  const lines: string[] = [];
  return {
    lines,
    out: { log: (line: string) => lines.push(`log: ${line}`), error: (line: string) => lines.push(`error: ${line}`) },
  };
};

/** A URL on the same server as `url` for a database that does not exist yet. */
const siblingUrl = (url: string, suffix: string): string => {
  const sibling = new URL(url);
  sibling.pathname = `${sibling.pathname}_${suffix}`;
  return sibling.toString();
};

const adminUrlOf = (url: string): string => {
  const admin = new URL(url);
  admin.pathname = '/postgres';
  return admin.toString();
};

describe('the migrate command', () => {
  test('creates a missing database, migrates it and says so', async ({ databaseUrl }) => {
    const target = siblingUrl(databaseUrl, 'fresh');
    const { lines, out } = recorder();
    try {
      expect(await runMigrateCommand(target, out)).toBe(0);

      const where = `${new URL(target).host}${new URL(target).pathname}`;
      expect(lines).toEqual([
        `log: created database ${where}`,
        `log: applied migration 0001-create-tasks-and-batches to ${where}`,
        `log: applied migration 0002-allow-pressure-trigger to ${where}`,
        `log: applied migration 0003-add-batches-group-key to ${where}`,
        `log: applied migration 0004-partition-tasks-and-batches to ${where}`,
      ]);
      const client = new pg.Client({ connectionString: target });
      await client.connect();
      try {
        const { rows } = await client.query<{ name: string }>(`SELECT name FROM kysely_migration ORDER BY name`);
        expect(rows).toEqual([
          { name: '0001-create-tasks-and-batches' },
          { name: '0002-allow-pressure-trigger' },
          { name: '0003-add-batches-group-key' },
          { name: '0004-partition-tasks-and-batches' },
        ]);
      } finally {
        await client.end();
      }
    } finally {
      await dropDatabase(adminUrlOf(databaseUrl), target);
    }
  });

  test('reports an up-to-date database on a second run', async ({ databaseUrl }) => {
    await runMigrateCommand(databaseUrl, recorder().out);
    const { lines, out } = recorder();

    expect(await runMigrateCommand(databaseUrl, out)).toBe(0);

    expect(lines).toEqual([`log: database ${new URL(databaseUrl).host}${new URL(databaseUrl).pathname} is up to date`]);
  });

  test('exits 1 with a reason when the server cannot be reached', async () => {
    const { lines, out } = recorder();

    expect(await runMigrateCommand('postgres://postgres@127.0.0.1:1/sluice', out)).toBe(1);

    expect(lines).toEqual([
      'error: cannot reach or create database 127.0.0.1:1/sluice: connect ECONNREFUSED 127.0.0.1:1',
    ]);
  });
});
