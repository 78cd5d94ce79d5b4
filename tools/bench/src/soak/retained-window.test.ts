import { describe, expect, it } from 'vitest';
import { retainedSince, spreadPick, tasksToCheck } from './retained-window.js';

const MINUTE = 60_000;

describe('retainedSince', () => {
  it('keeps one partition interval of margin inside the retention', () => {
    expect(retainedSince(10 * MINUTE, 120, 60)).toBe(9 * MINUTE);
    expect(retainedSince(10 * MINUTE, 7 * 86_400, 86_400)).toBe(10 * MINUTE - 6 * 86_400_000);
  });
});

describe('spreadPick', () => {
  it('takes everything when there is room', () => {
    expect(spreadPick([1, 2, 3], 5)).toEqual([1, 2, 3]);
  });

  it('spreads its picks from the first to the last', () => {
    expect(spreadPick(['a', 'b', 'c', 'd', 'e'], 3)).toEqual(['a', 'c', 'e']);
    expect(spreadPick([1, 2, 3], 1)).toEqual([1]);
    expect(spreadPick([1, 2, 3], 0)).toEqual([]);
  });
});

describe('tasksToCheck', () => {
  const tasks = [0, 5, 8.5, 9, 9.5, 10].map((minute, n) => ({ id: `t${n}`, submittedAt: minute * MINUTE }));

  it('checks only the tasks young enough that the retention must have kept them', () => {
    const { since, eligible, picked } = tasksToCheck(tasks, {
      nowMs: 10 * MINUTE,
      retentionSeconds: 120,
      intervalSeconds: 60,
      max: 100,
    });
    expect(since).toBe(9 * MINUTE);
    expect(eligible).toBe(2);
    expect(picked.map((task) => task.id)).toEqual(['t4', 't5']);
  });

  it('checks every task when the retention is far longer than the run', () => {
    const { eligible } = tasksToCheck(tasks, {
      nowMs: 10 * MINUTE,
      retentionSeconds: 7 * 86_400,
      intervalSeconds: 86_400,
      max: 100,
    });
    expect(eligible).toBe(tasks.length);
  });

  it('checks none when the retention leaves no margin past one interval', () => {
    expect(
      tasksToCheck(tasks, { nowMs: 10 * MINUTE, retentionSeconds: 60, intervalSeconds: 60, max: 100 }).eligible,
    ).toBe(0);
  });
});
