import { describe, expect, it } from 'vitest';
import { newId, newParcelBase, retryParcelId, withParcelFields } from '@sluice/tasks';
import { chaosTask } from './chaos-task.js';
import { tasksOfJob } from './job-tasks.js';

describe('tasksOfJob', () => {
  const submittedAt = 1_700_000_000_000;

  it("reads a single task's job as its one task, under the job's id", () => {
    const id = newId(submittedAt);
    const data = { payload: chaosTask(7).payload, submittedAt };
    expect(tasksOfJob({ id, data, attemptsMade: 2 })).toEqual([
      { id, ref: 'chaos-0000007', attemptsMade: 2, error: null },
    ]);
  });

  it('reads a parcel as each of its tasks, under its own id and ref', () => {
    const base = newParcelBase(submittedAt);
    const ids = [0, 1, 2].map((index) => withParcelFields(base, { index }));
    const data = { submittedAt, tasks: ids.map((id, index) => ({ id, payload: chaosTask(index * 3).payload })) };
    expect(tasksOfJob({ id: base, data, attemptsMade: 4 })).toEqual([
      { id: ids[0], ref: 'chaos-0000000', attemptsMade: 4, error: null },
      { id: ids[1], ref: 'chaos-0000003', attemptsMade: 4, error: null },
      { id: ids[2], ref: 'chaos-0000006', attemptsMade: 4, error: null },
    ]);
  });

  it("counts a retry parcel's earlier attempts and keeps each task's last error", () => {
    const base = newParcelBase(submittedAt);
    const task = withParcelFields(base, { index: 5 });
    const data = {
      submittedAt,
      attempt: 3,
      tasks: [{ id: task, payload: chaosTask(5).payload, error: 'simulated provider error' }],
    };
    expect(tasksOfJob({ id: retryParcelId(base, 3), data, attemptsMade: 1 })).toEqual([
      { id: task, ref: 'chaos-0000005', attemptsMade: 3, error: 'simulated provider error' },
    ]);
  });

  it("reads a job that is not a task's as one task, so that it still shows as evidence", () => {
    expect(tasksOfJob({ id: '42', data: { payload: { ref: 'chaos-0000001' } }, attemptsMade: 1 })).toEqual([
      { id: '42', ref: 'chaos-0000001', attemptsMade: 1, error: null },
    ]);
    expect(tasksOfJob({ id: newId(submittedAt), data: null, attemptsMade: 0 })).toMatchObject([{ ref: null }]);
  });
});
