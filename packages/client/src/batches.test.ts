import { waitFor } from '@sluice/testkit';
import { describe, expect } from 'vitest';
import { createClient, type BatchView } from './index.js';
import type { taskTypes } from './test-task-types.js';
import { test } from './test-sluice.js';

const TASKS = 10;

describe('batches, stats and throughput', () => {
  test('batches pages through every committed batch with its cursor, newest first, none twice', async ({ sluice }) => {
    // Groups of at most 2, so 10 tasks commit in at least 5 batches.
    const api = await sluice.startApi({ BATCH_SIZE: '2' });
    await sluice.startWorker({ BATCH_SIZE: '2' });
    const client = createClient<typeof taskTypes>({ baseUrl: api.url });
    const { taskIds } = await client.submitMany(
      Array.from({ length: TASKS }, (_, n) => ({ taskType: 'GREET', payload: { name: `guest ${n}` } }) as const),
    );
    for (const id of taskIds) expect(await client.waitFor(id)).toMatchObject({ status: 'COMPLETED' });

    const pages: Array<{ items: ReadonlyArray<BatchView>; nextCursor?: string }> = [];
    let before: string | undefined;
    do {
      const page = await client.batches({ limit: 2, before });
      pages.push(page);
      before = page.nextCursor;
    } while (before !== undefined && pages.length < 100);

    const items = pages.flatMap((page) => page.items);
    const { totals } = await client.stats();
    expect(totals).toMatchObject({ tasks: TASKS, completed: TASKS, failed: 0 });
    expect(totals.batches).toBeGreaterThanOrEqual(TASKS / 2);
    expect(items).toHaveLength(totals.batches);
    expect(new Set(items.map((item) => item.id)).size).toBe(items.length);
    expect(pages.length).toBe(Math.ceil(totals.batches / 2));
    expect(pages.at(-1)?.nextCursor).toBeUndefined();
    expect(pages.slice(0, -1).every((page) => page.items.length === 2 && page.nextCursor !== undefined)).toBe(true);
    // Batch ids are UUIDv7: newest first means each page's ids, and the pages, descend.
    const ids = items.map((item) => item.id);
    expect(ids).toEqual([...ids].sort().reverse());
    expect(items.reduce((sum, item) => sum + item.completed, 0)).toBe(TASKS);
    expect(items.every((item) => item.taskType === 'GREET' && item.size <= 2)).toBe(true);
  });

  test('throughput counts the committed tasks per second', async ({ sluice }) => {
    const api = await sluice.startApi();
    await sluice.startWorker();
    const client = createClient<typeof taskTypes>({ baseUrl: api.url });
    const { taskIds } = await client.submitMany(
      Array.from({ length: TASKS }, (_, n) => ({ taskType: 'GREET', payload: { name: `guest ${n}` } }) as const),
    );
    for (const id of taskIds) await client.waitFor(id);

    // The second a task committed in is counted once it is over: wait for it rather than guess.
    const throughput = await waitFor(async () => {
      const answer = await client.throughput({ seconds: 60 });
      return answer.points.reduce((sum, point) => sum + point.tasks, 0) === TASKS ? answer : undefined;
    });
    expect(throughput.intervalMs).toBe(1_000);
    expect(throughput.points).toHaveLength(60);
  });
});
