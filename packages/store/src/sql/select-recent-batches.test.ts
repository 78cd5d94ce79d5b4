import { describe, expect } from 'vitest';
import type { Store } from '../store.js';
import { finishedTask, groupOf } from '../test-groups.js';
import { test } from '../test-store.js';
import { uuidv7 } from '../test-uuid-v7.js';

/** Commits `count` one-task groups whose batch ids are in a known time order; returns them oldest first. */
const commitBatches = async (store: Store, count: number): Promise<ReadonlyArray<string>> => {
  const start = Date.UTC(2025, 0, 1);
  const ids = Array.from({ length: count }, (_, i) => uuidv7(start + i));
  for (const id of ids) await store.commitGroup(groupOf([finishedTask()], { id }));
  return ids;
};

describe('recentBatches', () => {
  test('pages through every batch newest first, following nextCursor to the end', async ({ store }) => {
    const oldestFirst = await commitBatches(store, 25);

    const first = await store.recentBatches({ limit: 10 });
    const second = await store.recentBatches({ limit: 10, before: first.nextCursor ?? '' });
    const third = await store.recentBatches({ limit: 10, before: second.nextCursor ?? '' });

    expect(first.items.map((batch) => batch.id)).toEqual(oldestFirst.slice(15).reverse());
    expect(second.items.map((batch) => batch.id)).toEqual(oldestFirst.slice(5, 15).reverse());
    expect(third.items.map((batch) => batch.id)).toEqual(oldestFirst.slice(0, 5).reverse());
    expect(first.nextCursor).toBe(oldestFirst[15]);
    expect(third.nextCursor).toBeUndefined();
    expect(third).not.toHaveProperty('nextCursor');
  });

  test('gives no cursor when the last page is exactly full', async ({ store }) => {
    await commitBatches(store, 20);

    const first = await store.recentBatches({ limit: 10 });
    const second = await store.recentBatches({ limit: 10, before: first.nextCursor ?? '' });

    expect(second.items).toHaveLength(10);
    expect(second.nextCursor).toBeUndefined();
  });

  test('does not shift pages when new batches arrive while paging', async ({ store }) => {
    const oldestFirst = await commitBatches(store, 6);
    const first = await store.recentBatches({ limit: 3 });
    await store.commitGroup(groupOf([finishedTask()]));

    const second = await store.recentBatches({ limit: 3, before: first.nextCursor ?? '' });

    expect(second.items.map((batch) => batch.id)).toEqual(oldestFirst.slice(0, 3).reverse());
  });

  test("gives each batch its group's groupBy key, and null for a type without groupBy", async ({ store }) => {
    await store.commitGroup(groupOf([finishedTask()], { id: uuidv7(Date.UTC(2025, 0, 1)) }));
    await store.commitGroup(
      groupOf([finishedTask()], { id: uuidv7(Date.UTC(2025, 0, 2)), groupKey: 'tenant "acme" ✓' }),
    );

    const { items } = await store.recentBatches({ limit: 10 });

    expect(items.map((batch) => batch.groupKey)).toEqual(['tenant "acme" ✓', null]);
    expect(await store.findBatch(items[0]?.id ?? '')).toMatchObject({ groupKey: 'tenant "acme" ✓' });
  });

  test('returns an empty page and no cursor when nothing was committed', async ({ store }) => {
    expect(await store.recentBatches({ limit: 10 })).toEqual({ items: [] });
  });

  test('refuses a limit out of range and a cursor that is not one', async ({ store }) => {
    for (const limit of [0, -1, 1.5, 1_001, Number.NaN]) {
      await expect(store.recentBatches({ limit })).rejects.toMatchObject({
        name: 'InvalidArgumentError',
        field: 'limit',
      });
    }
    await expect(store.recentBatches({ limit: 10, before: 'nope' })).rejects.toMatchObject({
      name: 'InvalidArgumentError',
      field: 'before',
    });
  });
});
