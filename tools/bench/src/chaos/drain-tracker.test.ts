import { describe, expect, it } from 'vitest';
import { createDrainTracker, type DrainSample } from './drain-tracker.js';

const sample = (
  atMs: number,
  depth: number | undefined,
  committed: number | undefined,
  failedSet = 0,
): DrainSample => ({
  atMs,
  depth,
  committed,
  failedSet,
});

describe('createDrainTracker', () => {
  it('calls the queue drained once it stayed empty and the counts still for the whole window', () => {
    const tracker = createDrainTracker({ stableMs: 3_000 });
    expect(tracker.observe(sample(0, 0, 100))).toBe(false);
    expect(tracker.observe(sample(2_000, 0, 100))).toBe(false);
    expect(tracker.observe(sample(3_000, 0, 100))).toBe(true);
  });

  it('starts over when a commit lands while the queue looks empty', () => {
    const tracker = createDrainTracker({ stableMs: 3_000 });
    tracker.observe(sample(0, 0, 100));
    expect(tracker.observe(sample(2_500, 0, 150))).toBe(false);
    expect(tracker.observe(sample(5_000, 0, 150))).toBe(false);
    expect(tracker.observe(sample(5_500, 0, 150))).toBe(true);
  });

  it('starts over when the queue fills again or a server does not answer', () => {
    const tracker = createDrainTracker({ stableMs: 1_000 });
    tracker.observe(sample(0, 0, 100));
    expect(tracker.observe(sample(900, 5, 100))).toBe(false);
    tracker.observe(sample(1_000, 0, 100));
    expect(tracker.observe(sample(1_900, 0, undefined))).toBe(false);
    tracker.observe(sample(2_000, 0, 100));
    expect(tracker.observe(sample(2_500, 0, 100))).toBe(false);
    expect(tracker.observe(sample(3_000, 0, 100))).toBe(true);
  });

  it('starts over when the failed set grows', () => {
    const tracker = createDrainTracker({ stableMs: 1_000 });
    tracker.observe(sample(0, 0, 100, 0));
    expect(tracker.observe(sample(1_000, 0, 100, 3))).toBe(false);
    expect(tracker.observe(sample(2_000, 0, 100, 3))).toBe(true);
  });
});
