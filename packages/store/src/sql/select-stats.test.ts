import { describe, expect } from 'vitest';
import { finishedTasks, groupOf } from '../test-groups.js';
import { test } from '../test-store.js';

describe('stats', () => {
  test('reports zeros and no commit times before anything is committed', async ({ store }) => {
    expect(await store.stats()).toEqual({
      totals: { batches: 0, tasks: 0, completed: 0, failed: 0, retried: 0, duplicates: 0 },
      byTaskType: [],
      flushesByTrigger: { size: 0, timeout: 0, pressure: 0, shutdown: 0 },
      commitMs: { average: null, p95: null },
    });
  });

  test('adds up what the batches committed, overall, per task type and per trigger', async ({ store }) => {
    const emails = finishedTasks(100, (i) => (i < 97 ? {} : { status: 'FAILED', error: 'bounced' }));
    await store.commitGroup(groupOf(emails, { trigger: 'size' }));
    // 40 held: 30 written, 10 retried.
    await store.commitGroup(
      groupOf(
        finishedTasks(30, () => ({ taskType: 'SMS' })),
        { size: 40, trigger: 'timeout' },
      ),
    );
    // Released before it was full: the worker's held jobs had reached its BullMQ concurrency.
    await store.commitGroup(
      groupOf(
        finishedTasks(20, () => ({ taskType: 'SMS' })),
        { trigger: 'pressure' },
      ),
    );
    // A redelivery of ten emails: duplicates only.
    await store.commitGroup(groupOf(emails.slice(0, 10), { trigger: 'shutdown' }));

    const stats = await store.stats();

    expect(stats.totals).toEqual({
      batches: 4,
      tasks: 150,
      completed: 147,
      failed: 3,
      retried: 10,
      duplicates: 10,
    });
    expect(stats.byTaskType).toEqual([
      { taskType: 'EMAIL', batches: 2, completed: 97, failed: 3, retried: 0, duplicates: 10, averageGroupSize: 55 },
      { taskType: 'SMS', batches: 2, completed: 50, failed: 0, retried: 10, duplicates: 0, averageGroupSize: 30 },
    ]);
    expect(stats.flushesByTrigger).toEqual({ size: 1, timeout: 1, pressure: 1, shutdown: 1 });
  });

  test('averages commit times and takes their 95th percentile from the batch rows', async ({ store }) => {
    const groups = Array.from({ length: 20 }, () => groupOf(finishedTasks(5)));
    for (const group of groups) await store.commitGroup(group);
    const commitMs = await Promise.all(
      groups.map(async (group) => (await store.findBatch(group.batch.id))?.commitMs ?? Number.NaN),
    );
    const sorted = [...commitMs].sort((a, b) => a - b);

    const { commitMs: reported } = await store.stats();

    const mean = commitMs.reduce((sum, ms) => sum + ms, 0) / commitMs.length;
    expect(reported.average).toBeCloseTo(mean, 9);
    // percentile_cont interpolates between the 19th and 20th of 20 sorted values.
    const [nineteenth = Number.NaN, twentieth = Number.NaN] = sorted.slice(18);
    expect(reported.p95).toBeCloseTo(nineteenth + 0.05 * (twentieth - nineteenth), 9);
  });
});
