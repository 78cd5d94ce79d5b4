import { describe, expect, it } from 'vitest';
import { elapsed, formatProgress, formatSoakReport } from './format-soak.js';
import { GROWTH_BOUNDS } from './growth-bounds.js';
import type { SoakResult } from './soak-result.js';
import type { SoakSample } from './soak-sample.js';

const sample = (atMs: number, partitions: number, created: number): SoakSample => ({
  atMs,
  accepted: atMs * 0.4,
  queued: 12,
  processes: [
    { name: 'api', rssMb: 131.7, heapMb: 38.6, lagMs: 12.2 },
    { name: 'worker-1', rssMb: 117.2, heapMb: undefined, lagMs: undefined },
  ],
  redisMb: 2.31,
  tasks: { tableMb: 10, indexMb: 1, partitions, created, dropped: 0 },
  batches: { tableMb: 0.3, indexMb: 0.1, partitions, created, dropped: 0 },
  lagMs: 12.2,
  latencyP95Ms: 2_800,
  committed: 4_000,
});

const result = (verdict: 'pass' | 'fail', failures: ReadonlyArray<string>): SoakResult => ({
  startedAt: '2025-01-01T00:00:00.000Z',
  settings: {
    minutes: 2,
    rate: 400,
    workers: 1,
    warmupMinutes: 0.5,
    perRequest: 25,
    sampleEveryMs: 10_000,
    partitionInterval: '1m',
    retention: undefined,
    intervalSeconds: 60,
    retentionSeconds: 604_800,
    serviceEnv: { PARTITION_INTERVAL: '1m' },
    bounds: GROWTH_BOUNDS,
  },
  machine: {
    cores: 2,
    cpuModel: 'Test CPU',
    memoryMb: 4_096,
    node: 'v20.20.2',
    redis: '7.0.15',
    postgres: '18.4',
    commit: 'abc1234',
    uncommitted: [],
    builtAt: { api: 'x', worker: 'x' },
  },
  samples: [sample(0, 7, 0), sample(20_000, 8, 1), sample(120_000, 8, 2)],
  summary: {
    acceptedPerSecond: 400,
    latencyP95Ms: { median: 2_700, max: 3_030 },
    lagP99Ms: { median: 12, max: 13 },
    tasks: { first: 7, last: 8, min: 7, max: 8, created: 2, dropped: 1 },
    batches: { first: 7, last: 8, min: 7, max: 8, created: 2, dropped: 1 },
    loadMs: 120_000,
    load: { requests: 1_920, acceptedTasks: 48_000, failedRequests: 0, failureSamples: [], maxBacklog: 24 },
    growth: [
      {
        series: 'api RSS',
        readings: 10,
        samples: 10,
        firstMb: 107,
        lastMb: 132,
        slopeMbPerMinute: 18.79,
        boundMbPerMinute: 32.25,
        bound: '32.25 MB/min (0.25 MB/min + a 32 MB step over 1.5 min)',
        ok: true,
      },
      {
        series: 'tables',
        readings: 10,
        samples: 10,
        firstMb: 3,
        lastMb: 11.3,
        slopeMbPerMinute: 5.5,
        boundMbPerMinute: undefined,
        bound: 'not judged: …',
        ok: true,
      },
    ],
    crashes: [],
    logErrors: [{ service: 'api', count: 0, first: [] }],
    drained: true,
    drainMs: 6_000,
    retained: { since: '2025-01-01T00:01:00.000Z', sampled: 1_920, eligible: 900, checked: 900, missing: [] },
  },
  verdict,
  failures,
  logDir: verdict === 'pass' ? undefined : '/tmp/sluice-soak-x',
});

describe('elapsed', () => {
  it('writes minutes and seconds since the load began', () => {
    expect(elapsed(0)).toBe('+0m00s');
    expect(elapsed(80_400)).toBe('+1m20s');
    expect(elapsed(3_725_000)).toBe('+62m05s');
  });
});

describe('formatProgress', () => {
  it('shows each process, Redis, the tables, partitions, lag, latency and the errors so far', () => {
    expect(
      formatProgress(sample(80_000, 8, 2), {
        errors: 1,
        logErrors: [{ service: 'api', count: 2, first: [] }],
        crashes: 0,
      }),
    ).toBe(
      '+1m20s accepted 32,000 · queued 12 · RSS api 132 w1 117 MB · heap api 38.6 w1 – MB · redis 2.3 MB · tables 11.4 MB · ' +
        'partitions tasks/batches 8/8 (+4 −0) · lag p99 12 ms · latency p95 2.80 s · errors 3',
    );
  });
});

describe('formatSoakReport', () => {
  it('prints a row per sample, marking the warm-up, and each series against its bound', () => {
    const report = formatSoakReport(result('pass', []), { jsonPath: 'bench/results-soak.json' });
    const lines = report.split('\n');
    expect(lines.find((line) => line.startsWith('+0m00s'))).toMatch(
      /^\+0m00s w\s+0\s+12\s+132\s+38\.6\s+117\s+–\s+2\.3/,
    );
    expect(lines.find((line) => line.startsWith('+0m20s'))).toMatch(/^\+0m20s w /);
    expect(lines.find((line) => line.startsWith('+2m00s'))).toMatch(/^\+2m00s\s+48,000/);
    expect(lines.find((line) => line.startsWith('api RSS'))).toMatch(
      /^api RSS\s+107\s+132\s+\+18\.79\s+32\.25 MB\/min \(0\.25 MB\/min \+ a 32 MB step over 1\.5 min\)\s+ok$/,
    );
    expect(lines.find((line) => line.startsWith('tables'))).toMatch(
      /^tables\s+3\.0\s+11\.3\s+\+5\.50\s+not judged: …$/,
    );
    expect(report).toContain('partitions of tasks: 7 → 8 (7–8), 2 made, 1 dropped');
    expect(report).toContain(
      'retained tasks: read 900 of the 900 sampled tasks submitted after 2025-01-01T00:01:00.000Z',
    );
    expect(lines.slice(-2)).toEqual([
      'PASS: nothing grew past its bound after warm-up, and nothing failed',
      'JSON: bench/results-soak.json',
    ]);
  });

  it('lists every failure and where the logs were kept', () => {
    const report = formatSoakReport(
      result('fail', ['worker-1 RSS grew 3.40 MB/min after warm-up (bound …)', 'the queue did not drain']),
    );
    expect(report.split('\n').slice(-4)).toEqual([
      'FAIL:',
      '  - worker-1 RSS grew 3.40 MB/min after warm-up (bound …)',
      '  - the queue did not drain',
      'service logs: /tmp/sluice-soak-x',
    ]);
  });
});
