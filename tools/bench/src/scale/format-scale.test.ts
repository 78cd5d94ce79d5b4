import { describe, expect, it } from 'vitest';
import { cpuSplit, describeBound } from './cpu-split.js';
import { formatScaleReport } from './format-scale.js';
import type { Measurement, ScaleResult, ScaleRound } from './run-scale.js';

const split = cpuSplit(
  { ticks: { workers: 0, api: 0, redis: 0, postgres: 0, driver: 0 }, machineBusyTicks: 0 },
  { ticks: { workers: 1_000, api: 200, redis: 500, postgres: 200, driver: 50 }, machineBusyTicks: 1_980 },
  10_000,
  100,
);
const measurement = (perSecond: number, overrides: Partial<Measurement> = {}): Measurement => ({
  accepted: 50_000,
  rows: 50_000,
  distinctIds: 50_000,
  completed: 50_000,
  duplicatesSkipped: 0,
  failedJobs: 0,
  submitSeconds: 4,
  peakWaiting: 20_000,
  seconds: 50_000 / perSecond,
  perSecond,
  secondsTo95: 47_500 / perSecond,
  perSecondTo95: perSecond,
  cpu: split,
  bound: describeBound(split, 2),
  groups: {
    count: 500,
    averageSize: 100,
    timeouts: 3,
    fillMs: 180,
    releaseToCommitMs: 6.5,
    commitP50Ms: 3.2,
    commitP95Ms: 8.9,
  },
  problems: [],
  ...overrides,
});
const round = (workers: number, endToEnd: Measurement, drain: Measurement = measurement(6_000)): ScaleRound => ({
  workers,
  endToEnd,
  drain,
  workerPeakRssMb: 150,
  ok: endToEnd.problems.length === 0 && drain.problems.length === 0,
});
const result: ScaleResult = {
  startedAt: '2026-11-28T13:00:00.000Z',
  machine: {
    cores: 2,
    cpuModel: 'AMD EPYC',
    memoryMb: 24_105,
    node: 'v20.20.2',
    redis: '7.0.15',
    postgres: '18.4',
    commit: 'abc1234',
    uncommitted: [],
    builtAt: { api: 'x', worker: 'x' },
  },
  serviceEnv: { BATCH_SIZE: '100', BATCH_CONCURRENCY: '4', DEMO_WORK_MS: '0' },
  tasksPerRound: 50_000,
  inFlight: 4,
  rounds: [
    round(1, measurement(4_000)),
    round(2, measurement(5_000)),
    round(4, measurement(5_200, { rows: 50_001, distinctIds: 50_000, problems: ['1 duplicate rows'] })),
  ],
};

describe('formatScaleReport', () => {
  const report = formatScaleReport(result, { jsonPath: 'bench/results-scale.json' });

  it('prints one row per round with its throughput and speed-up over the first round', () => {
    expect(report).toMatch(/^\s+1\s+50,000\s+4\.0\s+20,000\s+12\.5\s+4,000\s+1\.00×/m);
    expect(report).toMatch(/^\s+2\s+50,000\s+4\.0\s+20,000\s+10\.0\s+5,000\s+1\.25×/m);
  });

  it('shows the machine and what bound each measurement, from its CPU split', () => {
    expect(report).toContain('Machine: 2 cores (AMD EPYC)');
    expect(report).toContain(
      '1 worker(s), end to end: CPU: 1.98 of 2 cores busy; Node 1.25 (workers 1.00, api 0.20, load driver 0.05), Redis 0.50, PostgreSQL 0.20',
    );
  });

  it('says where the groups spent their time', () => {
    expect(report).toContain(
      '1 worker(s), drain: 500 groups of 100.0, 3 by timeout; fill 180 ms, release to commit 6.5 ms; commit 3.2 / 8.9 ms',
    );
  });

  it('marks a measurement with a duplicate row as failed and says why', () => {
    expect(report).toMatch(/^\s+4\s+50,001.*\s1\s+0\s+0\s+FAILED$/m);
    expect(report).toContain('4 worker(s), end to end FAILED: 1 duplicate rows');
  });
});
