import { describe, expect, it } from 'vitest';
import { describeBound, GROWTH_BOUNDS, slopeBound, tablesBound } from './growth-bounds.js';
import { slopeOf } from './least-squares.js';

/** Readings every 10 s over `minutes`, flat at 100 MB, then `stepMb` higher from `stepAt` (a share of the window). */
const stepSeries = (minutes: number, stepMb: number, stepAt: number) =>
  Array.from({ length: minutes * 6 + 1 }, (_, k) => ({ x: k / 6, y: 100 + (k / 6 >= stepAt * minutes ? stepMb : 0) }));

describe('slopeBound', () => {
  it('allows the steady rate plus the slope of one step spread over the window', () => {
    expect(slopeBound({ mbPerMinute: 0.25, stepMb: 32 }, 90)).toBeCloseTo(0.25 + (1.5 * 32) / 90, 10);
    expect(slopeBound({ mbPerMinute: 0.25, stepMb: 32 }, 1.5)).toBeCloseTo(32.25, 10);
  });

  it('tends to the steady rate as the run gets longer', () => {
    expect(slopeBound(GROWTH_BOUNDS.rss, 24 * 60)).toBeLessThan(0.33);
  });

  it.each([
    [2, 0.5],
    [25, 0.5],
    [25, 0.1],
    [25, 0.9],
  ])('lets one step of the allowed size pass over %d minutes, wherever it falls (%d of the way)', (minutes, at) => {
    const slope = slopeOf(stepSeries(minutes, GROWTH_BOUNDS.rss.stepMb, at)) ?? Number.NaN;
    expect(slope).toBeGreaterThan(0);
    expect(slope).toBeLessThanOrEqual(slopeBound(GROWTH_BOUNDS.rss, minutes));
  });

  it('fails a heap growing 3 MB/min and an RSS growing 5 MB/min over the default 25 judged minutes', () => {
    const leak = (mbPerMinute: number) =>
      Array.from({ length: 151 }, (_, k) => ({ x: k / 6, y: 100 + (mbPerMinute * k) / 6 }));
    expect(slopeOf(leak(3))).toBeGreaterThan(slopeBound(GROWTH_BOUNDS.heap, 25));
    expect(slopeOf(leak(5))).toBeGreaterThan(slopeBound(GROWTH_BOUNDS.rss, 25));
  });

  it('fails an RSS growing 0.5 MB/min over an 8-hour soak', () => {
    const leak = Array.from({ length: 8 * 360 + 1 }, (_, k) => ({ x: k / 6, y: 100 + k / 12 }));
    expect(slopeOf(leak)).toBeGreaterThan(slopeBound(GROWTH_BOUNDS.rss, 8 * 60));
  });
});

describe('tablesBound', () => {
  it('allows one partition interval of rows as the step', () => {
    expect(tablesBound(12, 60)).toEqual({ mbPerMinute: 0.25, stepMb: 12 });
    expect(tablesBound(12, 3_600).stepMb).toBe(720);
  });
});

describe('describeBound', () => {
  it('writes the bound out with what it is made of', () => {
    expect(describeBound({ mbPerMinute: 0.25, stepMb: 32 }, 1.5)).toBe(
      '32.25 MB/min (0.25 MB/min + a 32 MB step over 1.5 min)',
    );
  });
});
