import { describe, expect, it } from 'vitest';
import { dueTasks } from './pacing.js';

describe('dueTasks', () => {
  it('has rate × elapsed seconds due, counted from the start', () => {
    expect(dueTasks(500, 0, 30_000)).toBe(0);
    expect(dueTasks(500, 1_000, 30_000)).toBe(500);
    expect(dueTasks(500, 1_999, 30_000)).toBe(999);
  });

  it('never has more than the total due', () => {
    expect(dueTasks(500, 600_000, 30_000)).toBe(30_000);
  });
});
