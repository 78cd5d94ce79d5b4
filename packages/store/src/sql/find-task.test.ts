import { describe, expect } from 'vitest';
import { finishedTask, groupOf } from '../test-groups.js';
import { test } from '../test-store.js';
import { uuidv7 } from '../test-uuid-v7.js';

describe('findTask', () => {
  test('returns a committed task with every field, camelCase', async ({ store }) => {
    const task = finishedTask({ payload: { to: 'a@example.com' }, attempts: 2 });
    const group = groupOf([task]);
    const { committedAt } = await store.commitGroup(group);

    expect(await store.findTask(task.id)).toEqual({
      id: task.id,
      taskType: 'EMAIL',
      payload: { to: 'a@example.com' },
      status: 'COMPLETED',
      result: task.result,
      error: null,
      attempts: 2,
      submittedAt: task.submittedAt,
      startedAt: task.startedAt,
      committedAt,
      batchId: group.batch.id,
    });
  });

  test('answers undefined for a task that has no row', async ({ store }) => {
    expect(await store.findTask(uuidv7())).toBeUndefined();
  });

  test('answers undefined for an id that is not a UUID, without a database error', async ({ store }) => {
    expect(await store.findTask("1' OR '1'='1")).toBeUndefined();
    expect(await store.findTask('')).toBeUndefined();
  });
});

describe('findBatch', () => {
  test('returns the batch row a commit wrote', async ({ store }) => {
    const group = groupOf([finishedTask()], { workerId: 'w-7', trigger: 'timeout', size: 3 });
    await store.commitGroup(group);

    expect(await store.findBatch(group.batch.id)).toMatchObject({
      id: group.batch.id,
      workerId: 'w-7',
      trigger: 'timeout',
      size: 3,
      completed: 1,
      retried: 2,
    });
  });

  test('answers undefined for an unknown or malformed id', async ({ store }) => {
    expect(await store.findBatch(uuidv7())).toBeUndefined();
    expect(await store.findBatch('not-a-batch')).toBeUndefined();
  });
});
