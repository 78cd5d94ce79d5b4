import { describe, expect, it } from 'vitest';
import { cpuPerTask, cpuSplit, describeBound, sampleOf, type CpuSample, type StackPids } from './cpu-split.js';
import type { ProcStat } from '../bench/proc-stats.js';

const stat = (pid: number, ppid: number, ownTicks: number, reapedChildTicks = 0): ProcStat => ({
  pid,
  comm: 'x',
  ppid,
  // Split unevenly between user and system time, so a sum that drops either half shows.
  utime: ownTicks - Math.floor(ownTicks / 3),
  stime: Math.floor(ownTicks / 3),
  cutime: reapedChildTicks,
  cstime: 0,
});
const pids: StackPids = { workers: [11, 12], api: 10, redis: [20], postgres: 30, driver: 1 };

const sample = (ticks: Partial<CpuSample['ticks']>, machineBusyTicks: number): CpuSample => ({
  ticks: { workers: 0, api: 0, redis: 0, postgres: 0, driver: 0, ...ticks },
  machineBusyTicks,
});

describe('sampleOf', () => {
  it('adds the workers together and counts PostgreSQL as postmaster, live backends and exited ones', () => {
    const stats = [
      stat(1, 0, 5),
      stat(10, 1, 7),
      stat(11, 1, 100),
      stat(12, 1, 50),
      stat(20, 1, 40),
      stat(30, 1, 3, 60),
      stat(31, 30, 9),
      stat(32, 30, 8),
      stat(99, 1, 1_000),
    ];
    expect(sampleOf(stats, pids, 500).ticks).toEqual({ workers: 150, api: 7, redis: 40, postgres: 80, driver: 5 });
  });

  it('adds the primaries of a Redis Cluster together', () => {
    const stats = [stat(20, 1, 40), stat(21, 1, 30), stat(22, 1, 20)];
    expect(sampleOf(stats, { ...pids, redis: [20, 21, 22] }, 500).ticks.redis).toBe(90);
  });

  it('counts a process that is gone as zero rather than failing', () => {
    expect(sampleOf([], pids, 0).ticks).toEqual({ workers: 0, api: 0, redis: 0, postgres: 0, driver: 0 });
  });
});

describe('cpuSplit', () => {
  it('turns tick deltas into average cores over the window, the unexplained rest as other', () => {
    const split = cpuSplit(
      sample({ workers: 100, redis: 50 }, 1_000),
      sample({ workers: 1_100, redis: 550 }, 2_900),
      10_000,
      100,
    );
    expect(split.cores.workers).toBeCloseTo(1);
    expect(split.cores.redis).toBeCloseTo(0.5);
    expect(split.machineBusyCores).toBeCloseTo(1.9);
    expect(split.cores.other).toBeCloseTo(0.4);
  });
});

describe('cpuPerTask', () => {
  it('turns the cores each part kept busy into µs of CPU per task finished in the window', () => {
    const split = cpuSplit(sample({}, 0), sample({ workers: 400, api: 80, redis: 20, postgres: 60 }, 600), 4_000, 100);
    // 4 s of worker CPU for 40,000 tasks: 100 µs a task.
    const perTask = cpuPerTask(split, 4_000, 40_000);
    const expected = { workers: 100, api: 20, redis: 5, postgres: 15, driver: 0, other: 10 };
    for (const [part, usec] of Object.entries(expected))
      expect(perTask[part as keyof typeof perTask], part).toBeCloseTo(usec);
  });

  it('is 0 for a window in which no task finished', () => {
    expect(cpuPerTask(cpuSplit(sample({}, 0), sample({ workers: 10 }, 10), 1_000, 100), 1_000, 0).workers).toBe(0);
  });
});

describe('describeBound', () => {
  const split = (cores: Partial<Record<'workers' | 'api' | 'redis' | 'postgres' | 'driver', number>>, busy: number) =>
    cpuSplit(
      sample({}, 0),
      sample(Object.fromEntries(Object.entries(cores).map(([k, v]) => [k, v * 100])), busy * 100),
      1_000,
      100,
    );

  it('says Redis when redis-server keeps its one core busy', () => {
    expect(describeBound(split({ workers: 0.8, redis: 0.95 }, 1.9), 2).limit).toBe('redis');
  });

  it('says CPU when every core is busy, and who used it', () => {
    const bound = describeBound(split({ workers: 1.2, api: 0.2, redis: 0.4, postgres: 0.15 }, 1.98), 2);
    expect(bound.limit).toBe('cpu');
    expect(bound.text).toContain(
      '1.98 of 2 cores busy; Node 1.40 (workers 1.20, api 0.20, load driver 0.00), Redis 0.40, PostgreSQL 0.15',
    );
  });

  it('says how many of the busy cores went to processes outside the stack', () => {
    expect(describeBound(split({ workers: 0.5, redis: 0.3 }, 1.9), 2).text).toContain(
      '1.90 of 2 cores busy (1.10 of them outside this stack)',
    );
  });

  it('says latency when cores were left idle', () => {
    expect(describeBound(split({ workers: 0.4, redis: 0.2 }, 0.7), 2).limit).toBe('latency');
  });
});
