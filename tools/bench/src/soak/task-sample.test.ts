import { describe, expect, it } from 'vitest';
import { createTaskSample } from './task-sample.js';

const offerMany = (capacity: number, count: number): ReadonlyArray<number> => {
  const sample = createTaskSample(capacity);
  for (let n = 0; n < count; n += 1) sample.offer({ id: `t${n}`, submittedAt: n });
  return sample.tasks().map((task) => task.submittedAt);
};

describe('createTaskSample', () => {
  it('keeps every task offered while it has room', () => {
    expect(offerMany(10, 6)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('thins itself evenly over the whole run once full, never holding more than its capacity', () => {
    expect(offerMany(4, 5)).toEqual([0, 2, 4]);
    expect(offerMany(4, 9)).toEqual([0, 4, 8]);
    const long = offerMany(100, 10_000);
    expect(long.length).toBeLessThanOrEqual(100);
    expect(long.length).toBeGreaterThan(50);
    // Evenly spread: the same gap between any two neighbours, from the first task to near the last.
    const gaps = new Set(long.slice(1).map((at, index) => at - (long[index] ?? 0)));
    expect(gaps.size).toBe(1);
    expect(long[0]).toBe(0);
    expect(long.at(-1)).toBeGreaterThan(10_000 - 2 * [...gaps][0]!);
  });

  it('refuses a capacity it could not halve', () => {
    expect(() => createTaskSample(1)).toThrow(RangeError);
  });
});
