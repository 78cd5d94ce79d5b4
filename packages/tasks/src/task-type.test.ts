import type { FlushTrigger } from '@sluice/batching';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { createCatalog } from './catalog.js';
import {
  defineTaskType,
  outcomeProblem,
  taskTypeOptionsProblem,
  type BatchHandler,
  type HandlerContext,
  type Json,
  type TaskInput,
} from './task-type.js';

describe('outcomeProblem', () => {
  it.each([
    [{ ok: true }],
    [{ ok: true, result: { id: 1 } }],
    [{ ok: false, error: 'down', retry: true }],
    [{ ok: false, error: 'bad address', retry: false }],
  ])('finds nothing wrong with %j', (outcome) => {
    expect(outcomeProblem(outcome)).toBeUndefined();
  });

  it.each([
    [null, 'null, not an outcome'],
    [undefined, 'undefined, not an outcome'],
    ['done', 'a string, not an outcome'],
    [[], 'an array, not an outcome'],
    [{ ok: 'yes' }, 'a malformed outcome: `ok` must be true or false, got a string'],
    [{ ok: false }, 'a malformed outcome: `error` must be a string when `ok` is false, got undefined'],
    [
      { ok: false, error: 'down' },
      'a malformed outcome: `retry` must be true or false when `ok` is false, got undefined',
    ],
  ])('says what is wrong with %j', (outcome, problem) => {
    expect(outcomeProblem(outcome)).toBe(problem);
  });
});

describe('defineTaskType', () => {
  const payload = z.object({ tenant: z.string(), url: z.url(), views: z.coerce.number().int() });
  const handle = async (tasks: ReadonlyArray<unknown>) => tasks.map(() => ({ ok: true as const }));

  it('takes batch, groupBy and sink, typed by the payload schema', () => {
    const type = defineTaskType({
      name: 'PAGE_VIEW',
      payload,
      batch: { size: 500, timeoutMs: 250 },
      groupBy: (view) => {
        expectTypeOf(view).toEqualTypeOf<{ tenant: string; url: string; views: number }>();
        return view.tenant;
      },
      sink: {
        table: 'analytics.page_views',
        rows: (task, result) => {
          expectTypeOf(task).toEqualTypeOf<TaskInput<{ tenant: string; url: string; views: number }>>();
          expectTypeOf(result).toEqualTypeOf<Json>();
          return [{ task_id: task.id, url: task.payload.url, views: task.payload.views, seen: result }];
        },
      },
      handle,
    });

    expect(type.batch).toEqual({ size: 500, timeoutMs: 250 });
    expect(type.groupBy?.({ tenant: 'acme', url: 'https://a.example', views: 2 })).toBe('acme');
    expect(type.sink?.table).toBe('analytics.page_views');
    expect(Object.isFrozen(type)).toBe(true);
    // A type with every optional field still goes into a catalog of plain task types.
    expect(createCatalog([type]).get('PAGE_VIEW')).toBe(type);
  });

  it('needs no sample', () => {
    const type = defineTaskType({ name: 'NO_SAMPLE', payload, handle });
    expect(type.sample).toBeUndefined();
    expectTypeOf(type.sample).toEqualTypeOf<((n: number) => z.input<typeof payload>) | undefined>();
  });

  it("gives the handler its group's context as a second argument", () => {
    expectTypeOf<Parameters<BatchHandler<unknown>>[1]>().toEqualTypeOf<HandlerContext>();
    expectTypeOf<HandlerContext['signal']>().toEqualTypeOf<AbortSignal>();
    expectTypeOf<HandlerContext['group']['key']>().toEqualTypeOf<string | null>();
    expectTypeOf<HandlerContext['group']['trigger']>().toEqualTypeOf<FlushTrigger>();
    // A handler that ignores the context is still a handler.
    expectTypeOf(handle).toExtend<BatchHandler<unknown>>();
  });

  it.each([
    [{ batch: { size: 0 } }, '`batch.size` must be a whole number ≥ 1, got 0'],
    [{ batch: { size: 2.5 } }, '`batch.size` must be a whole number ≥ 1, got 2.5'],
    [{ batch: { timeoutMs: -1 } }, '`batch.timeoutMs` must be a whole number ≥ 0, got -1'],
    [{ batch: 100 }, '`batch` must be an object { size?, timeoutMs }, got a number'],
    [{ groupBy: 'tenant' }, '`groupBy` must be a function, got a string'],
    [{ sample: {} }, '`sample` must be a function, got an object'],
    [
      { sink: { table: 'views; DROP TABLE tasks', rows: () => [] } },
      '`sink.table` must be a table name or schema.table',
    ],
    [{ sink: { table: 'a.b.c', rows: () => [] } }, '`sink.table` must be a table name or schema.table'],
    [{ sink: { table: '"Views"', rows: () => [] } }, '`sink.table` must be a table name or schema.table'],
    [{ sink: { table: 'x'.repeat(64), rows: () => [] } }, '`sink.table` must be a table name or schema.table'],
    [{ sink: { table: 'views' } }, '`sink.rows` must be a function, got undefined'],
  ])('refuses %j, naming the field', (fields, message) => {
    expect(taskTypeOptionsProblem(fields)).toContain(message);
    expect(() => defineTaskType({ name: 'BAD', payload, handle, ...(fields as object) })).toThrow(
      `Task type BAD: ${message}`,
    );
  });

  it('accepts a table name, a schema-qualified one, and mixed case as written', () => {
    for (const table of ['page_views', 'analytics.page_views', 'Analytics.PageViews', '_t1']) {
      expect(taskTypeOptionsProblem({ sink: { table, rows: () => [] } })).toBeUndefined();
    }
  });
});
