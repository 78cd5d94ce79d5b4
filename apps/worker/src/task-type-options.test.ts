import { sql } from 'kysely';
import { describe, expect } from 'vitest';
import { z } from 'zod';
import { createCatalog, defineTaskType } from '@sluice/tasks';
import { waitFor } from '@sluice/testkit';
import { RETRY, test } from './test-pipeline.js';

const TENANTS = ['acme', 'globex', 'initech'] as const;

describe('groupBy, batch and sink of a task type', () => {
  test('never mixes groupBy keys in one group, records the key on the batch row, keeps to the type size, and sinks each completed task once', async ({
    pipeline,
  }) => {
    await sql`CREATE TABLE page_views (tenant text NOT NULL, url text NOT NULL, seen_at timestamptz NOT NULL)`.execute(
      pipeline.db,
    );
    const handled: Array<{ key: string | null; tenants: ReadonlyArray<string> }> = [];
    const catalog = createCatalog([
      defineTaskType({
        name: 'PAGE_VIEW',
        payload: z.object({ tenant: z.enum(TENANTS), url: z.string(), n: z.number() }),
        batch: { size: 4 },
        groupBy: (view) => view.tenant,
        sink: {
          table: 'page_views',
          rows: (task) => [{ tenant: task.payload.tenant, url: task.payload.url, seen_at: task.submittedAt }],
        },
        handle: async (tasks, { group }) => {
          handled.push({ key: group.key, tenants: tasks.map((task) => task.payload.tenant) });
          return tasks.map((task) =>
            task.payload.n % 10 === 9 ? { ok: false, error: 'bad view', retry: false } : { ok: true },
          );
        },
      }),
    ]);
    // Interleaved, so each tenant's tasks reach the worker among the others'.
    const ids = await pipeline.submit(
      Array.from({ length: 30 }, (_, n) => ({
        taskType: 'PAGE_VIEW',
        payload: { tenant: TENANTS[n % 3], url: `/page/${n}`, n },
      })),
    );
    pipeline.startWorker({ catalog, batch: { size: 100, timeoutMs: 300 } });
    await waitFor(async () => (await pipeline.committedCount()) === 30, { what: '30 rows committed' });

    const rows = await pipeline.db
      .selectFrom('tasks')
      .innerJoin('batches', 'batches.id', 'tasks.batch_id')
      .select(['tasks.id', 'tasks.status', 'tasks.payload', 'tasks.task_type', 'batches.group_key', 'batches.size'])
      .execute();
    expect(new Set(rows.map((row) => row.id))).toEqual(new Set(ids));
    for (const row of rows) {
      expect(row.task_type).toBe('PAGE_VIEW');
      expect(row.group_key).toBe((row.payload as { tenant: string }).tenant);
      expect(row.size).toBeLessThanOrEqual(4);
    }
    for (const call of handled) {
      expect(call.tenants.every((tenant) => tenant === call.key)).toBe(true);
    }
    const batches = await pipeline.db.selectFrom('batches').select(['group_key']).execute();
    expect(new Set(batches.map((batch) => batch.group_key))).toEqual(new Set(TENANTS));

    // n = 9, 19, 29 failed for good: no page view for them; one for every other task.
    const views = await sql<{ url: string; tenant: string }>`SELECT url, tenant FROM page_views ORDER BY url`.execute(
      pipeline.db,
    );
    const completed = Array.from({ length: 30 }, (_, n) => n).filter((n) => n % 10 !== 9);
    expect(views.rows.map((view) => view.url)).toEqual(completed.map((n) => `/page/${n}`).sort());
  });

  test("fails the attempts of a task whose groupBy throws, saying why, and commits the type's other tasks", async ({
    pipeline,
  }) => {
    const catalog = createCatalog([
      defineTaskType({
        name: 'KEYED',
        payload: z.object({ customer: z.string().optional() }),
        groupBy: (payload) => {
          if (payload.customer === undefined) throw new Error('no customer');
          return payload.customer;
        },
        handle: async (tasks) => tasks.map(() => ({ ok: true })),
      }),
    ]);
    const [keyless, keyed] = await pipeline.submit([
      { taskType: 'KEYED', payload: {} },
      { taskType: 'KEYED', payload: { customer: 'c1' } },
    ]);
    pipeline.startWorker({ catalog, batch: { timeoutMs: 50 } });

    const failed = await pipeline.failedJob(keyless ?? '');
    expect(failed.attemptsMade).toBe(RETRY.maxRetries + 1);
    expect(failed.failedReason).toBe('groupBy threw: no customer');
    const rows = await pipeline.db
      .selectFrom('tasks')
      .innerJoin('batches', 'batches.id', 'tasks.batch_id')
      .select(['tasks.id', 'tasks.status', 'tasks.error', 'batches.group_key'])
      .orderBy('tasks.status')
      .execute();
    expect(rows).toEqual([
      { id: keyed, status: 'COMPLETED', error: null, group_key: 'c1' },
      { id: keyless, status: 'FAILED', error: 'groupBy threw: no customer', group_key: null },
    ]);
  });

  test('fails only the task whose sink row the table refuses, with the database message, for good', async ({
    pipeline,
  }) => {
    await sql`CREATE TABLE amounts (amount integer NOT NULL CHECK (amount > 0))`.execute(pipeline.db);
    const catalog = createCatalog([
      defineTaskType({
        name: 'CHARGE',
        payload: z.object({ amount: z.number() }),
        sink: { table: 'amounts', rows: (task) => [{ amount: task.payload.amount }] },
        handle: async (tasks) => tasks.map(() => ({ ok: true })),
      }),
    ]);
    const [good, refused] = await pipeline.submit([
      { taskType: 'CHARGE', payload: { amount: 5 } },
      { taskType: 'CHARGE', payload: { amount: -5 } },
    ]);
    pipeline.startWorker({ catalog, batch: { size: 2, timeoutMs: 60_000 } });

    const failed = await pipeline.failedJob(refused ?? '');
    expect(failed.attemptsMade).toBe(1);
    expect(failed.failedReason).toBe(
      'rejected by PostgreSQL (23514): new row for relation "amounts" violates check constraint "amounts_amount_check"',
    );
    const statuses = await pipeline.db.selectFrom('tasks').select(['id', 'status']).orderBy('status').execute();
    expect(statuses).toEqual([
      { id: good, status: 'COMPLETED' },
      { id: refused, status: 'FAILED' },
    ]);
    const { rows } = await sql<{ amount: number }>`SELECT amount FROM amounts`.execute(pipeline.db);
    expect(rows).toEqual([{ amount: 5 }]);
  });
});
