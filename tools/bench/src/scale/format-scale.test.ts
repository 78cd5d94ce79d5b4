import { describe, expect, it } from 'vitest';
import { cpuPerTask, cpuSplit, describeBound } from './cpu-split.js';
import { formatScaleReport } from './format-scale.js';
import { primaryFigures } from './primary-figures.js';
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
  windowMs: 10_000,
  tasksInWindow: 47_500,
  cpuPerTask: cpuPerTask(split, 10_000, 47_500),
  redisServers: [
    { server: 'redis', shards: [0], scriptCalls: 2_000, scriptShare: 1, cpuUsecPerTask: 6.25, cores: 0.5 },
  ],
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
  redisIdle: [
    { server: 'redis', cores: 0.004 },
    { server: '127.0.0.1:7001', cores: 0.002 },
    { server: '127.0.0.1:7002', cores: 0.003 },
  ],
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
  redis: { cluster: false, primaries: 1, shards: 1 },
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

describe('formatScaleReport on a Redis Cluster', () => {
  const servers = primaryFigures(
    [
      { server: '127.0.0.1:7001', shards: [0, 1], cpu: 0.114, calls: 700 },
      { server: '127.0.0.1:7002', shards: [2, 3], cpu: 0.19, calls: 1_300 },
      { server: '127.0.0.1:7003', shards: [4, 5], cpu: 0.1425, calls: 1_000 },
    ].map(({ server, shards, cpu, calls }) => ({
      server,
      shards,
      before: { cpuSeconds: 1, scriptCalls: 0 },
      after: { cpuSeconds: 1 + cpu, scriptCalls: calls },
    })),
    { windowMs: 10_000, tasks: 47_500 },
  );
  const clustered: ScaleResult = {
    ...result,
    redis: { cluster: true, primaries: 3, shards: 6 },
    rounds: [round(2, measurement(5_000, { redisServers: servers }), measurement(6_000, { redisServers: servers }))],
  };
  const report = formatScaleReport(clustered, { jsonPath: 'bench/results-scale.json' });

  it('says the queue ran in shards over the primaries of a cluster', () => {
    expect(report).toContain('Redis 7.0.15 Cluster of 3 primaries, the queue in 6 shards (AOF everysec)');
  });

  it('prints a row per primary of each measurement: its shards, its share of the scripts, CPU per task and of a core', () => {
    // 0.19 s of CPU over 47,500 tasks: 4 µs a task; over 10 s: 1.9 % of a core.
    expect(report).toMatch(/^\s+2\s+end to end\s+127\.0\.0\.1:7002\s+2,3\s+43\.3\s+4\.00\s+1\.9\s+0\.3$/m);
    expect(report).toMatch(/^\s+2\s+drain\s+127\.0\.0\.1:7001\s+0,1\s+23\.3\s+2\.40\s+1\.1\s+0\.2$/m);
  });

  it('puts the Redis ceiling at the busiest primary, beside the ceilings of the workers, the api and PostgreSQL', () => {
    // The workers: 1 core over 10 s for 47,500 tasks = 210.5 µs a task.
    expect(report).toContain(
      '2 worker(s), end to end: workers 210.5 (4,750/s) · api 42.1 (23,750/s) · PostgreSQL 42.1 (23,750/s) · ' +
        'Redis 4.0 (250,000/s) on 127.0.0.1:7002, the busiest',
    );
  });
});

describe('formatScaleReport on one Redis', () => {
  const report = formatScaleReport(result, { jsonPath: 'bench/results-scale.json' });

  it('prints the one server as a row of its own, with no busiest to name', () => {
    expect(report).toContain('Redis 7.0.15 (AOF everysec)');
    expect(report).toMatch(/^\s+1\s+end to end\s+redis\s+0\s+100\.0\s+6\.25\s+50\.0\s+0\.4$/m);
    expect(report).toContain(
      '1 worker(s), drain: workers 210.5 (4,750/s) · api 42.1 (23,750/s) · PostgreSQL 42.1 (23,750/s) · Redis 6.3 (160,000/s)\n',
    );
  });
});
