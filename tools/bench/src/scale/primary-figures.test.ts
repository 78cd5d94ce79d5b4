import { describe, expect, it } from 'vitest';
import { primaryFigures, readingOf, redisCeiling, type ServerReadings } from './primary-figures.js';

// Abridged from a redis-server 7.0 answer to INFO cpu commandstats.
const INFO = [
  '# CPU',
  'used_cpu_sys:0.812345',
  'used_cpu_user:2.100001',
  'used_cpu_sys_children:0.000000',
  'used_cpu_user_children:0.000000',
  'used_cpu_sys_main_thread:0.800000',
  'used_cpu_user_main_thread:2.090000',
  '',
  '# Commandstats',
  'cmdstat_evalsha:calls=1200,usec=40000,usec_per_call=33.33,rejected_calls=0,failed_calls=0',
  'cmdstat_eval:calls=3,usec=300,usec_per_call=100.00,rejected_calls=0,failed_calls=0',
  'cmdstat_bzpopmin:calls=500,usec=900,usec_per_call=1.80,rejected_calls=0,failed_calls=0',
  'cmdstat_info:calls=2,usec=80,usec_per_call=40.00,rejected_calls=0,failed_calls=0',
  '',
].join('\r\n');

describe('readingOf', () => {
  it("adds the process's user and system CPU, and counts script calls but no other command", () => {
    const reading = readingOf(INFO);
    expect(reading.cpuSeconds).toBeCloseTo(2.912346, 6);
    expect(reading.scriptCalls).toBe(1_203);
  });

  it('refuses an answer without the cpu section rather than reading 0 CPU', () => {
    expect(() => readingOf('cmdstat_evalsha:calls=1,usec=1,usec_per_call=1.00\r\n')).toThrow(/used_cpu_user/);
  });
});

const server = (name: string, shards: ReadonlyArray<number>, cpuSeconds: number, scriptCalls: number) =>
  ({
    server: name,
    shards,
    before: { cpuSeconds: 10, scriptCalls: 0 },
    after: { cpuSeconds: 10 + cpuSeconds, scriptCalls },
  }) satisfies ServerReadings;

describe('primaryFigures', () => {
  const figures = primaryFigures(
    [
      server('127.0.0.1:7001', [0, 1], 0.08, 2_000),
      server('127.0.0.1:7002', [2, 3], 0.12, 3_000),
      server('127.0.0.1:7003', [4, 5], 0.1, 5_000),
    ],
    { windowMs: 4_000, tasks: 40_000 },
  );

  it("gives each primary's share of the script calls, its shards with it", () => {
    expect(figures.map((figure) => [figure.server, figure.shards, figure.scriptShare])).toEqual([
      ['127.0.0.1:7001', [0, 1], 0.2],
      ['127.0.0.1:7002', [2, 3], 0.3],
      ['127.0.0.1:7003', [4, 5], 0.5],
    ]);
  });

  it("divides each primary's CPU by every task of the window, and by the window for the cores it used", () => {
    // 0.12 s over 40,000 tasks: 3 µs a task; over 4 s: 3 % of a core.
    expect(figures[1]?.cpuUsecPerTask).toBeCloseTo(3);
    expect(figures[1]?.cores).toBeCloseTo(0.03);
    expect(figures[0]?.cpuUsecPerTask).toBeCloseTo(2);
  });

  it('reads a server whose statistics were reset after the first reading as zero calls, not negative', () => {
    const [only] = primaryFigures(
      [
        {
          server: 'redis',
          shards: [0],
          before: { cpuSeconds: 1, scriptCalls: 50 },
          after: { cpuSeconds: 1, scriptCalls: 0 },
        },
      ],
      { windowMs: 1_000, tasks: 10 },
    );
    expect(only).toMatchObject({ scriptCalls: 0, scriptShare: 0, cpuUsecPerTask: 0, cores: 0 });
  });
});

describe('redisCeiling', () => {
  it('is a second of CPU over the µs per task of the busiest primary, named', () => {
    const figures = primaryFigures(
      [server('127.0.0.1:7001', [0, 1], 0.08, 1), server('127.0.0.1:7002', [2, 3], 0.2, 1)],
      { windowMs: 4_000, tasks: 40_000 },
    );
    // The busiest uses 5 µs a task: its one core is full at 200,000 tasks/s.
    expect(redisCeiling(figures)?.server).toBe('127.0.0.1:7002');
    expect(redisCeiling(figures)?.tasksPerSecond).toBeCloseTo(200_000);
  });

  it('has no ceiling to name when no server used any CPU', () => {
    expect(redisCeiling([])).toBeUndefined();
    expect(redisCeiling(primaryFigures([server('redis', [0], 0, 0)], { windowMs: 1_000, tasks: 10 }))).toBeUndefined();
  });
});
