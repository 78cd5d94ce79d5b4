import { sql, type Kysely } from 'kysely';
import { describe, expect } from 'vitest';
import { InvalidArgumentError } from '../invalid-argument-error.js';
import type { Database } from '../schema.js';
import { test } from '../test-store.js';
import { uuidv7 } from '../test-uuid-v7.js';

/**
 * A batch row committed at `committedAt`. commitGroup stamps rows with the server's clock, so
 * rows at chosen instants are written directly.
 */
const insertBatch = async (
  db: Kysely<Database>,
  committedAt: Date,
  counts: { readonly completed: number; readonly failed?: number; readonly retried?: number },
): Promise<void> => {
  const failed = counts.failed ?? 0;
  const retried = counts.retried ?? 0;
  await db
    .insertInto('batches')
    .values({
      id: uuidv7(),
      worker_id: 'worker-test',
      task_type: 'EMAIL',
      size: counts.completed + failed + retried,
      completed: counts.completed,
      failed,
      retried,
      duplicates: 0,
      trigger: 'size',
      opened_at: committedAt,
      flushed_at: committedAt,
      committed_at: committedAt,
      handler_ms: 1,
      commit_ms: 1,
    })
    .execute();
};

/** The start of the database's current second, in ms. */
const serverSecond = async (db: Kysely<Database>): Promise<number> => {
  const { rows } = await sql<{ now: Date }>`SELECT date_trunc('second', now()) AS now`.execute(db);
  return rows[0]!.now.getTime();
};

describe('throughput', () => {
  test('sums the tasks each second committed, with a zero for every quiet second', async ({ db, store }) => {
    // Seconds well inside the window, so the test may cross a second boundary without effect.
    const second = (await serverSecond(db)) - 10_000;
    await insertBatch(db, new Date(second + 100), { completed: 100 });
    await insertBatch(db, new Date(second + 950), { completed: 37, failed: 3, retried: 5 });
    await insertBatch(db, new Date(second - 1_000), { completed: 12 });
    await insertBatch(db, new Date(second - 600_000), { completed: 999 }); // ten minutes ago: outside

    const { until, points } = await store.throughput({ seconds: 300 });

    expect(points).toHaveLength(300);
    expect(points.at(-1)?.at.getTime()).toBe(until.getTime() - 1_000);
    points.forEach((point, i) => {
      expect(point.at.getTime()).toBe(until.getTime() - (300 - i) * 1_000);
    });
    const at = (ms: number) => points.find((point) => point.at.getTime() === ms);
    // Retried tasks wrote no row, so they are not throughput.
    expect(at(second)).toEqual({ at: new Date(second), tasks: 140, batches: 2 });
    expect(at(second - 1_000)).toEqual({ at: new Date(second - 1_000), tasks: 12, batches: 1 });
    expect(points.reduce((sum, point) => sum + point.tasks, 0)).toBe(152);
  });

  test('leaves out the second that is still filling', async ({ db, store }) => {
    const current = await serverSecond(db);
    await insertBatch(db, new Date(current + 999), { completed: 50 });

    const { until, points } = await store.throughput({ seconds: 5 });

    // Either the query ran within the same second (the batch is not in the window yet) or later
    // (the batch's second is complete and counted); never a point for an unfinished second.
    expect(points.every((point) => point.at.getTime() < until.getTime())).toBe(true);
    const counted = points.reduce((sum, point) => sum + point.tasks, 0);
    expect(counted).toBe(until.getTime() > current ? 50 : 0);
  });

  test('answers zeros before anything is committed', async ({ store }) => {
    const { points } = await store.throughput({ seconds: 60 });

    expect(points).toHaveLength(60);
    expect(points.every((point) => point.tasks === 0 && point.batches === 0)).toBe(true);
  });

  test.for([0, -1, 1.5, 3_601, Number.NaN])(
    'refuses a window of %s seconds before querying',
    async (seconds, { store }) => {
      await expect(store.throughput({ seconds })).rejects.toBeInstanceOf(InvalidArgumentError);
    },
  );
});
