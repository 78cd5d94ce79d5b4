import { describe, expect, it } from 'vitest';
import { slopeOf } from './least-squares.js';

describe('slopeOf', () => {
  it('is the rate of a series that grows steadily', () => {
    expect(slopeOf([0, 1, 2, 3].map((x) => ({ x, y: 50 + 1.5 * x })))).toBeCloseTo(1.5, 10);
  });

  it('is zero for a flat series, and negative for a shrinking one', () => {
    expect(slopeOf([0, 1, 2].map((x) => ({ x, y: 7 })))).toBe(0);
    expect(slopeOf([0, 1, 2].map((x) => ({ x, y: 10 - 2 * x })))).toBeCloseTo(-2, 10);
  });

  it('fits the line through scattered readings, whatever their order', () => {
    // y = 1 + 2x, plus +1, −1, −1, +1 of noise: noise that does not lean with x, so the fit finds 2.
    const points = [
      { x: 3, y: 8 },
      { x: 0, y: 2 },
      { x: 2, y: 4 },
      { x: 1, y: 2 },
    ];
    expect(slopeOf(points)).toBeCloseTo(2, 10);
  });

  it('has no slope for one reading or for readings all taken at once', () => {
    expect(slopeOf([{ x: 1, y: 5 }])).toBeUndefined();
    expect(slopeOf([])).toBeUndefined();
    expect(
      slopeOf([
        { x: 2, y: 1 },
        { x: 2, y: 9 },
      ]),
    ).toBeUndefined();
  });
});
