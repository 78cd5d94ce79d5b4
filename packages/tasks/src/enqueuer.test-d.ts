import { describe, expectTypeOf, test } from 'vitest';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { createEnqueuer } from './enqueuer.js';
import { defineTaskType } from './task-type.js';

// Type specs: vitest's typecheck mode compiles this file and fails on any error below, an unused
// `@ts-expect-error` included; nothing here runs.
const taskTypes = [
  defineTaskType({
    name: 'GREET',
    payload: z.object({ name: z.string() }),
    handle: async (tasks) => tasks.map(() => ({ ok: true, result: null })),
  }),
  defineTaskType({
    name: 'RESIZE',
    payload: z.object({ url: z.url(), width: z.int().default(100) }),
    handle: async (tasks) => tasks.map(() => ({ ok: true, result: null })),
  }),
];
declare const redis: Redis;
const enqueuer = createEnqueuer({ redis, taskTypes });

describe('createEnqueuer types each payload by its task type', () => {
  test('takes only the task types’ names', () => {
    expectTypeOf(enqueuer.submit).parameter(0).toEqualTypeOf<'GREET' | 'RESIZE'>();
    // @ts-expect-error: no task type is called GREAT
    void enqueuer.submit('GREAT', { name: 'Ada' });
  });

  test('takes each type’s payload as its schema’s input, and no other', () => {
    void enqueuer.submit('GREET', { name: 'Ada' }, { idempotencyKey: 'greet-ada' });
    void enqueuer.submit('RESIZE', { url: 'https://example.com/a.png' });
    // @ts-expect-error: GREET's name is a string
    void enqueuer.submit('GREET', { name: 5 });
    // @ts-expect-error: RESIZE does not take GREET's payload
    void enqueuer.submit('RESIZE', { name: 'Ada' });
    void enqueuer.submitMany([
      { taskType: 'GREET', payload: { name: 'Ada' } },
      { taskType: 'RESIZE', payload: { url: 'https://example.com/a.png', width: 5 } },
    ]);
    // @ts-expect-error: an item pairs a name with that name's payload
    void enqueuer.submitMany([{ taskType: 'GREET', payload: { url: 'https://example.com/a.png' } }]);
  });
});
