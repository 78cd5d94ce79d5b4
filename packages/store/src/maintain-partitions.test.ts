import { setTimeout as sleep } from 'node:timers/promises';
import { sql, type Kysely } from 'kysely';
import { describe, expect } from 'vitest';
import { createDb } from './create-db.js';
import { maintainPartitions } from './maintain-partitions.js';
import { aheadMs } from './partition-plan.js';
import type { Database } from './schema.js';
import { listPartitions } from './sql/list-partitions.js';
import { finishedTasks, groupOf } from './test-groups.js';
import { countRows, test } from './test-store.js';

const minutes = { intervalSeconds: 60, retentionSeconds: 120 };

/** The fixture migrated with the defaults: drops the daily partitions after the initial ones. */
const keepOnlyInitialPartitions = async (db: Kysely<Database>): Promise<void> => {
  const { tasks, batches } = await listPartitions(db);
  for (const range of [...tasks.slice(1), ...batches.slice(1)])
    await sql`DROP TABLE ${sql.table(range.name)}`.execute(db);
};

describe('maintainPartitions', () => {
  test('creates partitions of both tables, gap-free, reaching two intervals ahead; once done there is nothing to do', async ({
    db,
  }) => {
    await keepOnlyInitialPartitions(db);

    const report = await maintainPartitions(db, minutes);

    expect(report.ran).toBe(true);
    for (const table of ['tasks', 'batches'] as const) {
      const ranges = report.partitions[table];
      expect(ranges[0]?.name).toBe(`${table}_initial`);
      expect(ranges.slice(1).every((range, i) => range.from?.getTime() === ranges[i]?.to.getTime())).toBe(true);
      expect(ranges.slice(2).every((range) => range.to.getTime() - (range.from?.getTime() ?? 0) === 60_000)).toBe(true);
      expect(ranges.at(-1)?.to.getTime()).toBeGreaterThanOrEqual(Date.now() + aheadMs(minutes) - 1_000);
      expect(report.created.filter((change) => change.table === table)).toHaveLength(ranges.length - 1);
    }
    expect((await maintainPartitions(db, minutes)).created).toEqual([]);
  });

  test('drops the partitions past the retention with their rows, and keeps the rows of those within it', async ({
    db,
    store,
  }) => {
    // The fixtures' tasks are from 2025: they are in the migration's initial partition.
    await store.commitGroup(groupOf(finishedTasks(3)));
    await store.commitGroup(groupOf(finishedTasks(4, () => ({ submittedAt: new Date() }))));
    await sleep(1_100);

    const report = await maintainPartitions(db, { intervalSeconds: 60, retentionSeconds: 1 });

    expect(report.dropped.map((change) => change.name).sort()).toEqual(['batches_initial', 'tasks_initial']);
    expect(report.partitions.tasks.some((range) => range.name === 'tasks_initial')).toBe(false);
    expect(await countRows(db, 'tasks')).toBe(4);
    // The two batch rows were committed now, after the initial partition's end: both stay.
    expect(await countRows(db, 'batches')).toBe(2);
  });

  test('lets one process at a time change partitions: a run that finds the lock taken changes nothing', async ({
    databaseUrl,
    db,
  }) => {
    const other = createDb(databaseUrl, { poolSize: 1 });
    try {
      const [first, second] = await Promise.all([maintainPartitions(db, minutes), maintainPartitions(other, minutes)]);
      const runs = [first, second].filter((report) => report.ran);
      expect(runs.length).toBeGreaterThan(0);
      // Whoever ran, every partition was created exactly once.
      const created = [...first.created, ...second.created].map((change) => change.name);
      expect(new Set(created).size).toBe(created.length);
      // A run that waits for the lock runs after the other and finds nothing to do.
      const [, waited] = await Promise.all([
        maintainPartitions(db, { ...minutes, intervalSeconds: 30 }),
        maintainPartitions(other, minutes, { wait: true }),
      ]);
      expect(waited.ran).toBe(true);
    } finally {
      await other.destroy();
    }
  });

  test('never holds a commit up: a drop waits for a long query while commits pass, gives up past its lock timeout, and the next run finishes it', async ({
    databaseUrl,
    db,
    store,
  }) => {
    await keepOnlyInitialPartitions(db);
    await sleep(1_100);
    const reader = createDb(databaseUrl, { poolSize: 1 });
    try {
      const order: string[] = [];
      const failure = await reader.connection().execute(async (connection) => {
        // A report reading tasks in an open transaction: the drop must wait for it.
        await sql`BEGIN`.execute(connection);
        await sql`SELECT count(*) FROM tasks`.execute(connection);
        const maintaining = maintainPartitions(
          db,
          { intervalSeconds: 60, retentionSeconds: 1 },
          { lockTimeoutMs: 1_500 },
        )
          .then(() => undefined)
          .catch((error: unknown) => error)
          .finally(() => order.push('maintenance settled'));
        await sleep(300);
        await store.commitGroup(groupOf(finishedTasks(2, () => ({ submittedAt: new Date() }))));
        order.push('committed');
        const outcome = await maintaining;
        await sql`ROLLBACK`.execute(connection);
        return outcome;
      });

      expect(order).toEqual(['committed', 'maintenance settled']);
      expect(failure).toMatchObject({ code: '55P03' });
      const { tasks } = await listPartitions(db);
      expect(tasks.length).toBeGreaterThan(5);
      const next = await maintainPartitions(db, { intervalSeconds: 60, retentionSeconds: 1 });
      expect(next.dropped.map((change) => change.name).sort()).toEqual(['batches_initial', 'tasks_initial']);
      expect(await countRows(db, 'tasks')).toBe(2);
    } finally {
      await reader.destroy();
    }
  });
});
