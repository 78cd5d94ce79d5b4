import { describe, expect, it } from 'vitest';
import { lastFinishOf, pendingTasksOf, type StreamEntry } from './queue-watch.js';

describe('lastFinishOf', () => {
  it('takes the time of the newest completed or failed event, skipping later events of other kinds', () => {
    const entries: StreamEntry[] = [
      ['1700000000900-0', ['event', 'drained']],
      ['1700000000500-3', ['event', 'failed', 'jobId', 'b', 'failedReason', 'boom']],
      ['1700000000400-0', ['event', 'completed', 'jobId', 'a', 'returnvalue', 'null']],
    ];
    expect(lastFinishOf(entries)).toBe(1700000000500);
  });

  it('does not take a field value that merely reads "completed" for the event', () => {
    expect(lastFinishOf([['1700000000100-0', ['jobId', 'completed', 'event', 'added']]])).toBeUndefined();
  });

  it('is undefined when no job has finished', () => {
    expect(lastFinishOf([])).toBeUndefined();
    expect(lastFinishOf([['1700000000100-0', ['event', 'waiting', 'jobId', 'a']]])).toBeUndefined();
  });
});

describe('pendingTasksOf', () => {
  const parcel = (tasks: number): string =>
    JSON.stringify({ submittedAt: 1, tasks: Array.from({ length: tasks }, (_, i) => ({ id: `t${i}`, payload: i })) });
  const single = JSON.stringify({ payload: { to: 'a@example.com' }, submittedAt: 1 });

  it('counts a job per task where every job carries one', () => {
    expect(pendingTasksOf({ queued: 900, extraTasks: 0, activeData: [single, single] })).toBe(902);
  });

  it('counts the tasks of active parcels from their data, and of waiting ones from the extra-task count', () => {
    // 10 parcels of 100 waiting, 2 active: 1,200 tasks in 12 jobs.
    expect(pendingTasksOf({ queued: 10, extraTasks: 990, activeData: [parcel(100), parcel(100)] })).toBe(1_200);
  });

  it('counts nothing for an active job that finished before its data was read', () => {
    expect(pendingTasksOf({ queued: 0, extraTasks: 0, activeData: [null, parcel(3)] })).toBe(3);
  });

  it('takes an extra-task count left below zero as none', () => {
    expect(pendingTasksOf({ queued: 5, extraTasks: -40, activeData: [] })).toBe(5);
  });
});
