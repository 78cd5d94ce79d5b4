import { describe, expect } from 'vitest';
import { createCatalog, defineTaskType, jobDataSchema, type HandlerContext } from '@sluice/tasks';
import { waitFor } from '@sluice/testkit';
import { test } from './test-pipeline.js';

describe("the handler's second argument", () => {
  test('tells the handler its group and gives it a logger and a signal that is not aborted', async ({ pipeline }) => {
    const seen: HandlerContext[] = [];
    const catalog = createCatalog([
      defineTaskType({
        name: 'PROBE',
        payload: jobDataSchema.shape.payload,
        handle: async (tasks, context) => {
          seen.push(context);
          context.logger.debug('probing', { tasks: tasks.length });
          return tasks.map(() => ({ ok: true }));
        },
      }),
    ]);
    pipeline.startWorker({ catalog, batch: { size: 3, timeoutMs: 60_000 } });
    await pipeline.submit([1, 2, 3].map((n) => ({ taskType: 'PROBE', payload: { n } })));
    await waitFor(async () => (await pipeline.committedCount()) === 3, { what: '3 rows committed' });

    expect(seen).toHaveLength(1);
    const [context] = seen;
    expect(context?.group).toEqual({ key: null, trigger: 'size' });
    expect(context?.signal.aborted).toBe(false);
    expect(typeof context?.logger.info).toBe('function');
  });

  test("aborts the signal when the shutdown grace runs out, and the handler's answers still commit", async ({
    pipeline,
  }) => {
    const catalog = createCatalog([
      defineTaskType({
        name: 'SLOW',
        payload: jobDataSchema.shape.payload,
        // Waits for its signal, as a handler calling a slow provider with `fetch(…, { signal })` would.
        handle: async (tasks, { signal }) => {
          await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
          return tasks.map((_, n) =>
            n === 0
              ? { ok: true, result: { reason: String(signal.reason) } }
              : { ok: false, error: 'stopped', retry: true },
          );
        },
      }),
    ]);
    const worker = pipeline.startWorker({ catalog, batch: { size: 2, timeoutMs: 60_000 }, shutdownGraceMs: 1_000 });
    const ids = await pipeline.submit([1, 2].map((n) => ({ taskType: 'SLOW', payload: { n } })));
    await waitFor(async () => (await pipeline.queue.getActiveCount()) === 2, { what: 'both tasks held' });

    const started = Date.now();
    await worker.close();
    const tookMs = Date.now() - started;

    // Aborted at 800 ms (the grace less a fifth kept for the commit), then committed.
    expect(tookMs).toBeGreaterThanOrEqual(750);
    const rows = await pipeline.db.selectFrom('tasks').select(['id', 'status', 'result']).execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]?.result).toEqual({ reason: expect.stringContaining('grace is running out') });
    // The task the handler gave back is back in the queue, not held by a closed worker.
    const [, second] = ids;
    expect(await pipeline.queue.getJobState(second ?? '')).toMatch(/^(waiting|delayed)$/);
  });
});
