import { describe, expect, it } from 'vitest';
import type { SoakSample, TableReading } from './soak-sample.js';
import { summarizeSoak } from './soak-summary.js';

const reading = (partitions: number, created: number, dropped: number): TableReading => ({
  tableMb: 1,
  indexMb: 0,
  partitions,
  created,
  dropped,
});

const sample = (
  atMs: number,
  p95: number | undefined,
  lag: number | undefined,
  partitions: TableReading,
): SoakSample => ({
  atMs,
  accepted: 0,
  queued: 0,
  processes: [],
  redisMb: 1,
  tasks: partitions,
  batches: reading(0, 0, 0),
  lagMs: lag,
  latencyP95Ms: p95,
  committed: 0,
});

describe('summarizeSoak', () => {
  const samples = [
    sample(0, undefined, 90, reading(7, 0, 0)),
    sample(10_000, 9_000, 80, reading(8, 1, 0)),
    sample(20_000, 2_000, 10, reading(9, 2, 0)),
    sample(30_000, 3_000, 14, reading(8, 2, 1)),
    sample(40_000, 2_500, undefined, reading(8, 3, 2)),
  ];

  it('takes latency and lag after the warm-up only, ignoring samples that read none', () => {
    const summary = summarizeSoak(samples, { warmupMs: 20_000, loadMs: 40_000, acceptedTasks: 16_000 });
    expect(summary.latencyP95Ms).toEqual({ median: 2_500, max: 3_000 });
    expect(summary.lagP99Ms).toEqual({ median: 12, max: 14 });
    expect(summary.acceptedPerSecond).toBe(400);
  });

  it('follows the partitions over the whole run', () => {
    const summary = summarizeSoak(samples, { warmupMs: 20_000, loadMs: 40_000, acceptedTasks: 0 });
    expect(summary.tasks).toEqual({ first: 7, last: 8, min: 7, max: 9, created: 3, dropped: 2 });
    expect(summary.batches).toEqual({ first: 0, last: 0, min: 0, max: 0, created: 0, dropped: 0 });
  });

  it('has no figures for a run without samples', () => {
    const summary = summarizeSoak([], { warmupMs: 0, loadMs: 0, acceptedTasks: 0 });
    expect(summary.latencyP95Ms).toEqual({ median: undefined, max: undefined });
    expect(summary.tasks.max).toBe(0);
  });
});
