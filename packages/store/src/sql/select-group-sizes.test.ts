import { describe, expect } from 'vitest';
import { finishedTasks, groupOf } from '../test-groups.js';
import { test } from '../test-store.js';

describe('groupSizes', () => {
  test('is empty before anything is committed', async ({ store }) => {
    expect(await store.groupSizes()).toEqual([]);
  });

  test('counts committed groups by task type, trigger and size', async ({ store }) => {
    await store.commitGroup(groupOf(finishedTasks(100)));
    await store.commitGroup(groupOf(finishedTasks(100)));
    // 40 held, 30 written: the group's size is what it held.
    await store.commitGroup(
      groupOf(
        finishedTasks(30, () => ({ taskType: 'SMS' })),
        { size: 40, trigger: 'timeout' },
      ),
    );
    await store.commitGroup(
      groupOf(
        finishedTasks(7, () => ({ taskType: 'SMS' })),
        { trigger: 'shutdown' },
      ),
    );

    expect(await store.groupSizes()).toEqual([
      { taskType: 'EMAIL', trigger: 'size', size: 100, groups: 2 },
      { taskType: 'SMS', trigger: 'shutdown', size: 7, groups: 1 },
      { taskType: 'SMS', trigger: 'timeout', size: 40, groups: 1 },
    ]);
  });
});
