import type { GroupBatch, GroupCommit, TaskRow } from './sql/group-commit.js';
import { uuidv7 } from './test-uuid-v7.js';

/** A COMPLETED EMAIL task with a fresh id; override any field. */
export const finishedTask = (overrides: Partial<TaskRow> = {}): TaskRow => {
  const id = overrides.id ?? uuidv7();
  return {
    id,
    taskType: 'EMAIL',
    payload: { to: `user-${id.slice(-6)}@example.com`, subject: 'Welcome' },
    status: 'COMPLETED',
    result: { messageId: `m-${id.slice(-8)}` },
    error: null,
    attempts: 1,
    submittedAt: new Date('2025-01-02T03:04:05.006Z'),
    startedAt: new Date('2025-01-02T03:04:06.007Z'),
    ...overrides,
  };
};

/** `count` finished tasks; `shape(i)` overrides fields of the i-th. */
export const finishedTasks = (
  count: number,
  shape: (index: number) => Partial<TaskRow> = () => ({}),
): ReadonlyArray<TaskRow> => Array.from({ length: count }, (_, index) => finishedTask(shape(index)));

/** A group holding exactly `tasks` (nothing retried) unless `batch` says otherwise. */
export const groupOf = (tasks: ReadonlyArray<TaskRow>, batch: Partial<GroupBatch> = {}): GroupCommit => ({
  batch: {
    id: uuidv7(),
    workerId: 'worker-test',
    taskType: tasks[0]?.taskType ?? 'EMAIL',
    trigger: 'size',
    openedAt: new Date('2025-01-02T03:04:05.000Z'),
    flushedAt: new Date('2025-01-02T03:04:08.000Z'),
    handlerMs: 12.5,
    size: tasks.length,
    ...batch,
  },
  tasks,
});
