import { describe, expect, it } from 'vitest';
import type {
  BulkResult,
  CommitCostResult,
  ConsumerFigures,
  LatencyResult,
  MemoryResult,
  TaskTypesResult,
  ThroughputResult,
} from './bench-result.js';
import { evaluateChecks, type Check } from './done-when.js';
import type { Spread } from './statistics.js';

const spread = (median: number, min = median, max = median): Spread => ({ median, min, max, n: 3 });

const commit = (unnestMs: number, speedup: number): CommitCostResult => ({
  groupSize: 100,
  rounds: 300,
  singleRowRounds: 60,
  strategies: [
    { name: 'single-row', roundTrips: '100', msPerGroup: spread(unnestMs * speedup), p95Ms: 0 },
    { name: 'unnest', roundTrips: '1', msPerGroup: spread(unnestMs), p95Ms: 0 },
  ],
  speedup,
});

/** The per-consumer figures, which no check reads. */
const noFigures: ConsumerFigures = {
  tasksPerSecond: {},
  cpu: {},
  cpuMicrosPerTask: {},
  cpuPerTask: {},
  redisMicrosPerTask: {},
  redisCommands: {},
};

const throughput = (vsNoop: number, vsPerJob: number): ThroughputResult => ({
  tasks: 100_000,
  requestsInFlight: 4,
  tasksPerAdd: 1_000,
  bullmqConcurrency: 500,
  runs: [],
  ...noFigures,
  sluiceVsNoop: spread(vsNoop, vsNoop - 0.05, vsNoop + 0.05),
  sluiceVsPerJob: spread(vsPerJob),
});

const latency = (highP95: number, lowP95: number): LatencyResult => ({
  seconds: 60,
  workers: 2,
  batchTimeoutMs: 3_000,
  runs: [],
  levels: [
    {
      rate: 1_000,
      p50Ms: spread(300),
      p95Ms: spread(highP95),
      p99Ms: spread(highP95),
      sizeFlushShare: spread(1),
      achievedRate: spread(1_000),
    },
    {
      rate: 10,
      p50Ms: spread(1_500),
      p95Ms: spread(lowP95),
      p99Ms: spread(lowP95),
      sizeFlushShare: spread(0),
      achievedRate: spread(10),
    },
  ],
});

const memory = (apiMax: number, workerMax: number): MemoryResult => ({
  workers: 2,
  runs: [],
  levels: [
    {
      tasks: 100_000,
      apiPeakMb: spread(apiMax - 20, apiMax - 30, apiMax),
      workerPeakMb: spread(workerMax - 20, workerMax - 30, workerMax),
    },
  ],
});

const taskTypes = (manyVsOne: number, timeoutsUnderLoad: number): TaskTypesResult => ({
  tasks: 100_000,
  types: 20,
  runs: [],
  oneTasksPerSecond: spread(5_000),
  manyTasksPerSecond: spread(5_000 * manyVsOne),
  manyVsOne: spread(manyVsOne),
  manyMeanGroupSize: spread(37),
  timeoutsUnderLoad,
});

const bulk = (vsNoop: number): BulkResult => ({
  tasks: 100_000,
  tasksPerRequest: 1_000,
  requestsInFlight: 4,
  bullmqConcurrency: 500,
  runs: [],
  ...noFigures,
  sluiceVsNoop: spread(vsNoop, vsNoop - 0.1, vsNoop + 0.1),
});

const statusOf = (checks: ReadonlyArray<Check>): Record<string, Check['status']> =>
  Object.fromEntries(checks.map((check) => [check.id, check.status]));

describe('evaluateChecks', () => {
  it('meets every line when every figure is within its target', () => {
    const checks = evaluateChecks({
      commit: commit(2.1, 34),
      throughput: throughput(0.86, 2.9),
      latency: latency(640, 3_080),
      memory: memory(150, 140),
      types: taskTypes(0.92, 0),
      bulk: bulk(2.3),
    });
    expect(Object.values(statusOf(checks))).toEqual(Array(11).fill('met'));
  });

  it('fails the lines whose figures miss, and shows the measured figure', () => {
    const checks = evaluateChecks({
      commit: commit(5.5, 19),
      throughput: throughput(0.79, 2.4),
      latency: latency(1_200, 3_600),
      memory: memory(201, 250),
      types: taskTypes(0.79, 1),
      bulk: bulk(0.85),
    });
    expect(Object.values(statusOf(checks))).toEqual(Array(11).fill('not met'));
    expect(checks.find((check) => check.id === 'e2e-vs-noop')?.measured).toBe('0.79×');
    expect(checks.find((check) => check.id === 'group-commit-median')?.measured).toBe('5.50 ms');
  });

  it('wants the low-rate p95 between BATCH_TIMEOUT_MS and 500 ms more, not below it', () => {
    const low = (p95: number) => statusOf(evaluateChecks({ latency: latency(500, p95) }))['latency-low-rate'];
    expect(low(2_950)).toBe('not met');
    expect(low(3_000)).toBe('met');
    expect(low(3_500)).toBe('met');
    expect(low(3_501)).toBe('not met');
  });

  it('fails the high-rate latency when the api accepted well below that rate', () => {
    const slow = latency(400, 3_050);
    const behind: LatencyResult = {
      ...slow,
      levels: slow.levels.map((level) => (level.rate === 1_000 ? { ...level, achievedRate: spread(700) } : level)),
    };
    const check = evaluateChecks({ latency: behind }).find((candidate) => candidate.id === 'latency-high-rate');
    expect(check?.status).toBe('not met');
    expect(check?.measured).toBe('400 ms at only 700/s');
  });

  it('judges peak memory on the highest peak of any repeat, not the median', () => {
    const checks = statusOf(evaluateChecks({ memory: memory(205, 120) }));
    expect(checks['api-peak-rss']).toBe('not met');
    expect(checks['worker-peak-rss']).toBe('met');
  });

  it('says "not run" for what was not measured, rather than passing it', () => {
    const checks = evaluateChecks({ commit: commit(2, 30) });
    expect(statusOf(checks)).toEqual({
      'e2e-vs-noop': 'not run',
      'e2e-vs-per-job': 'not run',
      'group-commit-median': 'met',
      'group-commit-speedup': 'met',
      'latency-high-rate': 'not run',
      'latency-low-rate': 'not run',
      'api-peak-rss': 'not run',
      'worker-peak-rss': 'not run',
      'task-types-vs-one': 'not run',
      'task-types-timeouts': 'not run',
      'bulk-vs-noop': 'not run',
    });
    expect(checks.find((check) => check.id === 'e2e-vs-noop')?.measured).toBe('—');
  });

  it('says "not run" for a memory level other than the one the target names', () => {
    const small: MemoryResult = {
      workers: 2,
      runs: [],
      levels: [{ tasks: 10_000, apiPeakMb: spread(90), workerPeakMb: spread(90) }],
    };
    expect(statusOf(evaluateChecks({ memory: small }))['api-peak-rss']).toBe('not run');
  });

  it('fails the task-types line on a single group released by timeout under sustained load', () => {
    const checks = evaluateChecks({ types: taskTypes(1.02, 1) });
    expect(statusOf(checks)['task-types-vs-one']).toBe('met');
    expect(statusOf(checks)['task-types-timeouts']).toBe('not met');
    expect(checks.find((check) => check.id === 'task-types-timeouts')?.measured).toBe('1');
  });

  it('wants bulk submissions through one worker at twice the no-op worker, judged on the median', () => {
    const check = (vsNoop: number) => evaluateChecks({ bulk: bulk(vsNoop) }).find((c) => c.id === 'bulk-vs-noop');
    expect(check(1.99)?.status).toBe('not met');
    expect(check(2)?.status).toBe('met');
    expect(check(0.86)).toMatchObject({
      criterion: 'bulk, one worker ÷ no-op BullMQ worker',
      target: '≥ 2.00×',
      measured: '0.86×',
      status: 'not met',
    });
  });

  it('says "not run" when a ratio has no figure (a baseline run failed)', () => {
    const broken = {
      ...throughput(0.9, 3),
      sluiceVsNoop: { median: Number.NaN, min: Number.NaN, max: Number.NaN, n: 0 },
    };
    expect(statusOf(evaluateChecks({ throughput: broken }))['e2e-vs-noop']).toBe('not run');
  });
});
