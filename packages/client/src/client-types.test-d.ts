import type { TaskType } from '@sluice/tasks';
import { describe, expectTypeOf, test } from 'vitest';
import { createClient, type TaskView } from './index.js';
import type { taskTypes } from './test-task-types.js';

// Type specs: vitest's typecheck mode compiles this file and fails on any error below, an unused
// `@ts-expect-error` included; nothing here runs.
const sluice = createClient<typeof taskTypes>({ baseUrl: 'http://127.0.0.1:8038' });
const untyped = createClient({ baseUrl: 'http://127.0.0.1:8038' });

describe('a client typed with the catalog', () => {
  test('takes only the catalog’s task type names', () => {
    expectTypeOf(sluice.submit).parameter(0).toEqualTypeOf<'GREET' | 'RESIZE'>();
    // @ts-expect-error: no task type is called GREAT
    void sluice.submit('GREAT', { name: 'Ada' });
    // @ts-expect-error: names are matched as written
    void sluice.submit('greet', { name: 'Ada' });
  });

  test('takes each type’s payload as its schema’s input, and no other', () => {
    void sluice.submit('GREET', { name: 'Ada' });
    void sluice.submit('GREET', { name: 'Ada', fail: 'permanent' });
    // RESIZE's width has a default: the schema's input leaves it out, its output would not.
    void sluice.submit('RESIZE', { url: 'https://example.com/a.png' });
    // @ts-expect-error: GREET's name is a string
    void sluice.submit('GREET', { name: 5 });
    // @ts-expect-error: GREET's payload has no field `nmae` (and lacks `name`)
    void sluice.submit('GREET', { nmae: 'Ada' });
    // @ts-expect-error: GREET's fail takes only 'permanent'
    void sluice.submit('GREET', { name: 'Ada', fail: 'sometimes' });
    // @ts-expect-error: RESIZE does not take GREET's payload
    void sluice.submit('RESIZE', { name: 'Ada' });
    // @ts-expect-error: a payload is required
    void sluice.submit('GREET');
  });

  test('submitMany takes a list whose every item pairs a name with that name’s payload', () => {
    void sluice.submitMany([
      { taskType: 'GREET', payload: { name: 'Ada' } },
      { taskType: 'RESIZE', payload: { url: 'https://example.com/a.png', width: 100 } },
    ]);
    expectTypeOf(sluice.submitMany)
      .parameter(0)
      .items.toEqualTypeOf<
        | { readonly taskType: 'GREET'; readonly payload: { name: string; fail?: 'permanent' | undefined } }
        | { readonly taskType: 'RESIZE'; readonly payload: { url: string; width?: number | undefined } }
      >();
    // @ts-expect-error: GREET with RESIZE's payload
    void sluice.submitMany([{ taskType: 'GREET', payload: { url: 'https://example.com/a.png' } }]);
    // @ts-expect-error: an unknown name
    void sluice.submitMany([{ taskType: 'SMS', payload: 'hi' }]);
  });

  test('answers tasks whose taskType is one of the names', () => {
    expectTypeOf(sluice.get).returns.resolves.toEqualTypeOf<TaskView<'GREET' | 'RESIZE'>>();
    expectTypeOf(sluice.waitFor).returns.resolves.toHaveProperty('taskType').toEqualTypeOf<'GREET' | 'RESIZE'>();
  });
});

describe('a client without a catalog', () => {
  test('takes any name and any payload, left to the api to check', () => {
    expectTypeOf(untyped.submit).parameter(0).toEqualTypeOf<string>();
    expectTypeOf(untyped.submit<'ANY'>)
      .parameter(1)
      .toEqualTypeOf<unknown>();
    expectTypeOf(untyped.submitMany)
      .parameter(0)
      .items.toEqualTypeOf<{ readonly taskType: string; readonly payload: unknown }>();
    expectTypeOf(untyped.get).returns.resolves.toHaveProperty('taskType').toEqualTypeOf<string>();
  });

  test('is what a catalog typed only as ReadonlyArray<TaskType>, names erased, gives too', () => {
    const loose = createClient<ReadonlyArray<TaskType>>({ baseUrl: 'http://127.0.0.1:8038' });
    expectTypeOf(loose.submit).parameter(0).toEqualTypeOf<string>();
    expectTypeOf(loose.submit<'EMAIL'>)
      .parameter(1)
      .toEqualTypeOf<unknown>();
  });
});
