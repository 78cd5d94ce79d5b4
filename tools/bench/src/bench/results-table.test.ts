import { describe, expect, it } from 'vitest';
import type {
  BulkResult,
  CommitCostResult,
  HttpResult,
  LatencyResult,
  MemoryResult,
  TaskTypesResult,
  ThroughputResult,
} from './bench-result.js';
import type { Check } from './done-when.js';
import {
  checkRows,
  formatCommandCosts,
  formatCpuPerTask,
  formatCpuSplit,
  formatMarkdownTable,
  resultRows,
  RESULT_HEADER,
} from './results-table.js';
import type { Spread } from './statistics.js';

const spread = (median: number, min = median, max = median, n = 3): Spread => ({ median, min, max, n });

const commit: CommitCostResult = {
  groupSize: 100,
  rounds: 300,
  singleRowRounds: 60,
  strategies: [
    { name: 'single-row', roundTrips: '100, autocommit each', msPerGroup: spread(72.4, 60.1, 90.3, 60), p95Ms: 85 },
    { name: 'unnest', roundTrips: '1', msPerGroup: spread(2.13, 1.9, 3.4, 300), p95Ms: 2.9 },
  ],
  speedup: 34,
};

const throughput: ThroughputResult = {
  tasks: 100_000,
  requestsInFlight: 4,
  tasksPerAdd: 1_000,
  bullmqConcurrency: 500,
  runs: [],
  tasksPerSecond: { 'sluice-1': spread(7_512, 7_401, 7_630), 'bullmq-noop': spread(8_800, 8_700, 8_900) },
  cpu: { 'sluice-1': { worker: 0.98, redis: 0.71, postgres: 0.22, bench: 0.001 } },
  cpuMicrosPerTask: { 'sluice-1': spread(251.4) },
  cpuPerTask: {},
  redisMicrosPerTask: {},
  redisCommands: {},
  sluiceVsNoop: spread(0.85, 0.84, 0.86),
  sluiceVsPerJob: spread(2.9, 2.8, 3.1),
};

describe('resultRows', () => {
  it('has a row per figure with its median, min–max and repeats, header first', () => {
    const rows = resultRows({ commit, throughput });
    expect(rows[0]).toEqual(RESULT_HEADER);
    expect(rows).toContainEqual([
      'commit of 100',
      'one group write (unnest, Sluice)',
      '2.13 ms',
      '1.90–3.40 ms',
      '300',
      'p95 2.90 ms; 1 round trip(s)',
    ]);
    expect(rows).toContainEqual(['commit of 100', 'single INSERTs ÷ group write', '34.0×', '', '', 'of the medians']);
    expect(rows).toContainEqual([
      'end to end, 100,000',
      'Sluice, 1 worker, tasks/s',
      '7,512',
      '7,401–7,630',
      '3',
      "via the api's generator, 4 requests; cores: worker 0.98 · redis 0.71 · postgres 0.22; 251 µs CPU/task",
    ]);
    expect(rows).toContainEqual([
      'end to end, 100,000',
      'Sluice 1 worker ÷ no-op',
      '0.85×',
      '0.84–0.86×',
      '3',
      'per repeat',
    ]);
  });

  it("says end to end that Sluice was fed by the api's generator and the BullMQ workers a job per task by the bench", () => {
    const notes = resultRows({ throughput })
      .filter((row) => row[1]?.endsWith('tasks/s'))
      .map((row) => [row[1], row[5]]);
    expect(notes).toEqual([
      [
        'Sluice, 1 worker, tasks/s',
        "via the api's generator, 4 requests; cores: worker 0.98 · redis 0.71 · postgres 0.22; 251 µs CPU/task",
      ],
      ['BullMQ worker, no-op, tasks/s', 'a job per task, addBulk of 1,000 × 4 in flight'],
    ]);
  });

  it('leaves out consumers and scenarios that did not run', () => {
    const rows = resultRows({ throughput });
    expect(rows.some((row) => row[1]?.startsWith('Sluice, 2 workers'))).toBe(false);
    expect(rows.some((row) => row[0]?.startsWith('commit'))).toBe(false);
  });

  it('gives p50, p95 and p99 per latency rate, the flush share and the accepted rate beside them', () => {
    const latency: LatencyResult = {
      seconds: 60,
      workers: 2,
      batchTimeoutMs: 3_000,
      runs: [],
      levels: [
        {
          rate: 1_000,
          p50Ms: spread(310),
          p95Ms: spread(640, 600, 700),
          p99Ms: spread(690),
          sizeFlushShare: spread(0.97),
          achievedRate: spread(999, 990, 1_000),
        },
        {
          rate: 10,
          p50Ms: spread(1_500),
          p95Ms: spread(3_050),
          p99Ms: spread(3_080),
          sizeFlushShare: spread(0),
          achievedRate: spread(9, 8, 10),
        },
      ],
    };
    const rows = resultRows({ latency });
    expect(rows.slice(1).map((row) => [row[0], row[1], row[2], row[5]])).toEqual([
      ['latency at 1,000/s', 'p50 submission → commit', '310 ms', 'groups released full: 97 %'],
      ['latency at 1,000/s', 'p95 submission → commit', '640 ms', 'accepted 999/s'],
      ['latency at 1,000/s', 'p99 submission → commit', '690 ms', ''],
      ['latency at 10/s', 'p50 submission → commit', '1,500 ms', 'groups released full: 0 %'],
      ['latency at 10/s', 'p95 submission → commit', '3,050 ms', 'accepted 9/s; only 8/s accepted'],
      ['latency at 10/s', 'p99 submission → commit', '3,080 ms', ''],
    ]);
  });

  it('gives both task-type rates, their ratio, the group size and the timeouts under load', () => {
    const types: TaskTypesResult = {
      tasks: 100_000,
      types: 20,
      runs: [],
      oneTasksPerSecond: spread(5_400, 5_200, 5_500),
      manyTasksPerSecond: spread(4_900),
      manyVsOne: spread(0.91),
      manyMeanGroupSize: spread(36.6),
      timeoutsUnderLoad: 0,
    };
    expect(
      resultRows({ types })
        .slice(1)
        .map((row) => [row[0], row[1], row[2], row[5]]),
    ).toEqual([
      ['task types, 100,000', '1 type, tasks/s', '5,400', 'under sustained load, 1 worker'],
      ['task types, 100,000', '20 types, tasks/s', '4,900', 'under sustained load, 1 worker; 37 tasks a group'],
      ['task types, 100,000', '20 types ÷ 1 type', '0.91×', 'per repeat'],
      ['task types, 100,000', 'groups released by timeout under load', '0', 'the most of any run'],
    ]);
  });

  it('gives each bulk consumer its rate, its CPU and Redis per task, and the ratio to the no-op worker, fed a job per task', () => {
    const bulk: BulkResult = {
      tasks: 100_000,
      tasksPerRequest: 1_000,
      requestsInFlight: 4,
      bullmqConcurrency: 500,
      runs: [],
      tasksPerSecond: { 'sluice-1': spread(8_100, 7_900, 8_300), 'bullmq-noop': spread(9_600) },
      cpu: { 'sluice-1': { redis: 0.75, worker: 0.6 }, 'bullmq-noop': { redis: 0.84, worker: 0.5 } },
      cpuMicrosPerTask: { 'sluice-1': spread(233.4, 228, 241), 'bullmq-noop': spread(190) },
      cpuPerTask: {
        'sluice-1': { redis: 90.2, worker: 75.4, api: 45, postgres: 20.1 },
        'bullmq-noop': { redis: 88, worker: 52 },
      },
      redisMicrosPerTask: { 'sluice-1': spread(61.6, 60, 63), 'bullmq-noop': spread(58) },
      redisCommands: {
        'sluice-1': [
          { command: 'evalsha', callsPerTask: 1.01, usecPerTask: 52.2 },
          { command: 'lrem', callsPerTask: 0.0, usecPerTask: 0 },
        ],
      },
      sluiceVsNoop: spread(0.84, 0.8, 0.87),
    };
    const scenario = 'bulk, 100,000 (1,000 a request, 4 in flight)';
    expect(resultRows({ bulk }).slice(1)).toEqual([
      [scenario, 'Sluice, 1 worker, tasks/s', '8,100', '7,900–8,300', '3', 'cores: redis 0.75 · worker 0.60'],
      [
        scenario,
        'Sluice, 1 worker, CPU per task',
        '233 µs',
        '228–241 µs',
        '3',
        'redis 90 · worker 75 · api 45 · postgres 20',
      ],
      [
        scenario,
        'Sluice, 1 worker, Redis CPU per task',
        '62 µs',
        '60–63 µs',
        '3',
        'evalsha 1.01 calls 52 µs · lrem 0.00 calls 0 µs',
      ],
      [
        scenario,
        'BullMQ worker, no-op, tasks/s',
        '9,600',
        '9,600',
        '3',
        'a job per task, addBulk of 1,000 × 4 in flight; cores: redis 0.84 · worker 0.50',
      ],
      [scenario, 'BullMQ worker, no-op, CPU per task', '190 µs', '190 µs', '3', 'redis 88 · worker 52'],
      [scenario, 'BullMQ worker, no-op, Redis CPU per task', '58 µs', '58 µs', '3', ''],
      [scenario, 'Sluice 1 worker ÷ no-op', '0.84×', '0.80–0.87×', '3', 'per repeat'],
    ]);
  });

  it('gives HTTP and memory figures with their units', () => {
    const http: HttpResult = {
      seconds: 10,
      singleConnections: 50,
      bulkConnections: 4,
      bulkTasksPerRequest: 1_000,
      runs: [],
      singleRequestsPerSecond: spread(3_120),
      bulkTasksPerSecond: spread(14_000),
      errors: 0,
    };
    const memory: MemoryResult = {
      workers: 2,
      runs: [],
      levels: [{ tasks: 100_000, apiPeakMb: spread(130.4), workerPeakMb: spread(142) }],
    };
    const rows = resultRows({ http, memory }).slice(1);
    expect(rows.map((row) => [row[1], row[2]])).toEqual([
      ['POST /api/tasks, 50 connections, req/s', '3,120'],
      ['POST /api/tasks/batch of 1,000, tasks/s', '14,000'],
      ['api peak RSS', '130 MB'],
      ['worker peak RSS (highest of 2)', '142 MB'],
    ]);
  });
});

describe('formatCpuSplit', () => {
  it('lists the busiest kinds first and leaves out the idle ones', () => {
    expect(formatCpuSplit({ api: 0.05, worker: 0.98, redis: 0.71, bench: 0.001, other: 0.3 })).toBe(
      'cores: worker 0.98 · redis 0.71 · other 0.30 · api 0.05',
    );
    expect(formatCpuSplit({})).toBe('');
  });
});

describe('formatCpuPerTask', () => {
  it('lists the µs each working process spends per task, costliest first, leaving out an idle one', () => {
    expect(formatCpuPerTask({ worker: 75.4, api: 45, redis: 90.2, postgres: 20.1 })).toBe(
      'redis 90 · worker 75 · api 45 · postgres 20',
    );
    expect(formatCpuPerTask({ worker: 76, redis: 127, postgres: 0.3 })).toBe('redis 127 · worker 76');
    expect(formatCpuPerTask({})).toBe('');
  });
});

describe('formatCommandCosts', () => {
  it('gives each command its calls and µs per task, in the order given', () => {
    expect(
      formatCommandCosts([
        { command: 'evalsha', callsPerTask: 2, usecPerTask: 80.4 },
        { command: 'xadd', callsPerTask: 1, usecPerTask: 2.6 },
      ]),
    ).toBe('evalsha 2.00 calls 80 µs · xadd 1.00 calls 3 µs');
  });
});

describe('checkRows', () => {
  it('has a row per Done-when line', () => {
    const check: Check = {
      id: 'x',
      criterion: 'group commit',
      target: '≤ 5.00 ms',
      measured: '2.10 ms',
      status: 'met',
    };
    expect(checkRows([check]).slice(1)).toEqual([['group commit', '≤ 5.00 ms', '2.10 ms', 'met']]);
  });
});

describe('formatMarkdownTable', () => {
  it('lays rows out as a Markdown table with right-aligned columns where asked', () => {
    expect(
      formatMarkdownTable(
        [
          ['a', 'b'],
          ['1', '2'],
        ],
        ['left', 'right'],
      ),
    ).toBe('| a | b |\n| --- | ---: |\n| 1 | 2 |');
  });

  it('escapes a pipe inside a cell and fills short rows', () => {
    expect(formatMarkdownTable([['a', 'b'], ['x|y']])).toBe('| a | b |\n| --- | --- |\n| x\\|y |  |');
  });

  it('is empty for no rows', () => {
    expect(formatMarkdownTable([])).toBe('');
  });
});
