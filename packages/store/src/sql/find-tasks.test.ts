import { describe, expect } from 'vitest';
import { finishedTask, groupOf } from '../test-groups.js';
import { test } from '../test-store.js';
import { uuidv7 } from '../test-uuid-v7.js';

describe('findTasks', () => {
  test('returns the committed rows among the ids, each as findTask does, and skips the rest', async ({ store }) => {
    const tasks = [finishedTask(), finishedTask({ payload: { to: 'b@example.com' } }), finishedTask()];
    await store.commitGroup(groupOf(tasks));
    const [first, second] = tasks;
    const found = await store.findTasks([second?.id ?? '', uuidv7(), 'not-a-uuid', first?.id ?? '']);
    expect(found.map((row) => row.id).sort()).toEqual([first?.id, second?.id].sort());
    expect(found.find((row) => row.id === second?.id)).toEqual(await store.findTask(second?.id ?? ''));
  });

  test('answers 20,000 ids in one statement', async ({ store }) => {
    const task = finishedTask();
    await store.commitGroup(groupOf([task]));
    const ids = [...Array.from({ length: 19_999 }, () => uuidv7()), task.id];
    expect((await store.findTasks(ids)).map((row) => row.id)).toEqual([task.id]);
  });

  test('answers no rows, and no database error, for no ids or only strings that are not UUIDs', async ({ store }) => {
    expect(await store.findTasks([])).toEqual([]);
    expect(await store.findTasks(["1' OR '1'='1"])).toEqual([]);
  });
});
