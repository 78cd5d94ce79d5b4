import { describe, expect, it } from 'vitest';
import { pollInterval } from './poll-interval.js';

describe('pollInterval', () => {
  it('starts at 100 ms and grows by half each poll', () => {
    expect([0, 1, 2, 3].map(pollInterval)).toEqual([100, 150, 225, 338]);
  });

  it('stays at 1 s once it gets there', () => {
    expect([6, 7, 100].map(pollInterval)).toEqual([1_000, 1_000, 1_000]);
    expect(pollInterval(5)).toBeLessThan(1_000);
  });
});
