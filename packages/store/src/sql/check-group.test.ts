import { describe, expect, it } from 'vitest';
import { finishedTask, groupOf } from '../test-groups.js';
import { checkGroup } from './check-group.js';
import type { GroupBatch, TaskRow } from './group-commit.js';

const refusal = (batch: Partial<GroupBatch>, task: Partial<TaskRow> = {}): unknown => {
  try {
    checkGroup(groupOf([finishedTask(), finishedTask(task)], batch));
    return undefined;
  } catch (error) {
    return error;
  }
};

describe('checkGroup', () => {
  it('accepts a well-formed group, a null startedAt and an empty task list', () => {
    expect(refusal({}, { startedAt: null })).toBeUndefined();
    expect(() => checkGroup(groupOf([], { size: 5 }))).not.toThrow();
  });

  it.for(['size', 'timeout', 'pressure', 'shutdown'] as const)('accepts a group released by %s', (trigger) => {
    expect(refusal({ trigger })).toBeUndefined();
  });

  it.for([
    ['batch.id', { id: 'batch-1' }],
    ['batch.workerId', { workerId: 'w\u00001' }],
    ['batch.taskType', { taskType: 'EMAIL\u0000' }],
    ['batch.groupKey', { groupKey: 'acme\u0000' }],
    ['batch.trigger', { trigger: 'manual' as GroupBatch['trigger'] }],
    ['batch.trigger', { trigger: 'constructor' as GroupBatch['trigger'] }],
    ['batch.openedAt', { openedAt: new Date(Number.NaN) }],
    ['batch.flushedAt', { flushedAt: new Date('not a date') }],
    ['batch.size', { size: 1 }],
    ['batch.size', { size: 2 ** 31 }],
    ['batch.handlerMs', { handlerMs: Number.POSITIVE_INFINITY }],
  ] as const)('refuses a batch row PostgreSQL would refuse, naming %s', ([field, batch]) => {
    expect(refusal(batch)).toMatchObject({ name: 'InvalidArgumentError', field });
  });

  it.for([
    ['tasks[1].id', { id: 'not-a-uuid' }],
    ['tasks[1].submittedAt', { submittedAt: new Date(Number.NaN) }],
    ['tasks[1].startedAt', { startedAt: new Date(Number.NaN) }],
  ] as const)('refuses a task id or timestamp a FAILED row could not keep, naming %s', ([field, task]) => {
    expect(refusal({}, task)).toMatchObject({ name: 'InvalidArgumentError', field });
  });

  it('leaves what a task carries to PostgreSQL: a NUL, an odd status, negative attempts', () => {
    const odd = { payload: '\u0000', error: '\u0000', taskType: '\u0000', attempts: -1, status: 'DONE' } as const;

    expect(refusal({}, odd as unknown as Partial<TaskRow>)).toBeUndefined();
  });
});
