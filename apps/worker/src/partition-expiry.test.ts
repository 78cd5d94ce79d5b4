import { sql } from 'kysely';
import { describe, expect } from 'vitest';
import { createStore, PARTITION_DEFAULTS } from '@sluice/store';
import { createCatalog, defineTaskType, jobDataSchema, jobOptions, newId, type TaskOutcome } from '@sluice/tasks';
import { createLogger, createMetrics, Registry } from '@sluice/telemetry';
import { waitFor } from '@sluice/testkit';
import { createPartitionMaintainer } from './partition-maintainer.js';
import { test } from './test-pipeline.js';

/** FLAKY asks for a retry on its first attempt and completes on the next. */
const flakyCatalog = createCatalog([
  defineTaskType({
    name: 'FLAKY',
    payload: jobDataSchema.shape.payload,
    sample: () => ({}),
    handle: async (tasks) =>
      tasks.map(
        (task): TaskOutcome =>
          task.attempt === 1 ? { ok: false, error: 'not yet', retry: true } : { ok: true, result: { done: true } },
      ),
  }),
]);

describe('a task whose partition is gone', () => {
  test('a retry whose partition was dropped since its first attempt fails for good as expired, with no row, counted; the others commit', async ({
    pipeline,
  }) => {
    const { db, queue } = pipeline;
    const store = createStore(db);
    // Submitted an hour ago: the migration's initial partition holds that time, and nothing else.
    const submittedAt = Date.now() - 3_600_000;
    const old = newId(submittedAt);
    // A backoff long enough to drop the partition between the two attempts.
    await queue.add(
      'FLAKY',
      { payload: {}, submittedAt },
      { ...jobOptions({ maxRetries: 3, backoffDelayMs: 2_000 }), jobId: old },
    );
    const logger = createLogger({ component: 'worker', level: 'error' });
    const partitions = createPartitionMaintainer({ store, settings: PARTITION_DEFAULTS, logger, everyMs: 3_600_000 });
    await partitions.start();
    const metrics = createMetrics(new Registry(), { defaults: false });
    pipeline.startWorker({ catalog: flakyCatalog, batch: { timeoutMs: 200 }, partitions, metrics });

    await waitFor(async () => ((await queue.getJobState(old)) === 'delayed' ? true : undefined), {
      what: 'the first attempt sent back for a retry',
    });
    // As maintenance would past TASK_RETENTION. The worker's copy of the partitions is now stale:
    // its commit meets "no partition", reads them again, and sorts the task again.
    await sql`DROP TABLE tasks_initial`.execute(db);
    const fresh = await pipeline.submit([{ taskType: 'FLAKY', payload: {} }]);

    const failed = await pipeline.failedJob(old);
    expect(failed.failedReason).toBe(
      `its partition is gone: the task was submitted at ${new Date(submittedAt).toISOString()}, and rows are kept ` +
        'for TASK_RETENTION (1w); the partition of that time was dropped, so its row can no longer be written',
    );
    // Its first attempt was the handler's retry, its second the expiry: the sorting again cost none.
    expect(failed.attemptsMade).toBe(2);
    expect(await store.findTask(old)).toBeUndefined();
    const [freshId = ''] = fresh;
    expect(await waitFor(() => store.findTask(freshId), { what: 'the fresh task committed' })).toMatchObject({
      status: 'COMPLETED',
      attempts: 2,
    });
    const counted = (await metrics.tasksFinished.get()).values.find(
      (value) => value.labels.outcome === 'expired' && value.labels.task_type === 'FLAKY',
    );
    expect(counted?.value).toBe(1);
  });
});
