import { describe, expect, it } from 'vitest';
import { OptionError } from '../option-error.js';
import { parseBenchArgs } from './bench-options.js';

const context = { defaultJsonPath: '/repo/bench/results.json' };
const parse = (...argv: string[]) => parseBenchArgs(argv, context);

describe('parseBenchArgs', () => {
  it('defaults to every scenario at the Done-when scale', () => {
    const options = parse();
    expect(options.scenarios).toEqual(['commit', 'throughput', 'latency', 'http', 'memory', 'types', 'bulk']);
    expect(options.consumers).toEqual(['sluice-1', 'sluice-2', 'bullmq-noop', 'bullmq-insert']);
    expect(options).toMatchObject({
      quick: false,
      repeats: 3,
      commitRounds: 300,
      throughputTasks: 100_000,
      latencyMs: 60_000,
      latencyRates: [1_000, 10],
      httpMs: 10_000,
      httpConnections: 50,
      memoryTasks: [10_000, 100_000],
      jsonPath: '/repo/bench/results.json',
      redisUrl: undefined,
      databaseUrl: undefined,
      cpuProfDir: undefined,
      serviceEnv: {},
    });
  });

  it('scales every count down with --quick, and an explicit flag still wins', () => {
    expect(parse('--quick')).toMatchObject({
      repeats: 1,
      commitRounds: 40,
      throughputTasks: 20_000,
      latencyMs: 10_000,
      httpMs: 3_000,
      memoryTasks: [10_000],
    });
    expect(parse('--quick', '--tasks', '50000', '--repeats', '2')).toMatchObject({
      throughputTasks: 50_000,
      repeats: 2,
    });
  });

  it('runs the bulk scenario alone, scaled down with --quick', () => {
    expect(parse('--scenarios', 'bulk', '--quick')).toMatchObject({
      scenarios: ['bulk'],
      throughputTasks: 20_000,
      repeats: 1,
    });
    expect(parse('--scenarios', 'bulk').throughputTasks).toBe(100_000);
  });

  it('keeps scenarios and consumers in their fixed order, without repeats', () => {
    expect(parse('--scenarios', 'memory, commit,memory').scenarios).toEqual(['commit', 'memory']);
    expect(parse('--scenarios', 'bulk,throughput').scenarios).toEqual(['throughput', 'bulk']);
    expect(parse('--consumers', 'bullmq-noop,sluice-1').consumers).toEqual(['sluice-1', 'bullmq-noop']);
  });

  it('reads seconds into milliseconds and lists of numbers', () => {
    expect(parse('--latency-seconds', '1.5', '--rates', '200,20').latencyMs).toBe(1_500);
    expect(parse('--rates', '200,20').latencyRates).toEqual([200, 20]);
  });

  it('collects --env settings for the api and workers', () => {
    expect(parse('--env', 'BATCH_CONCURRENCY=8', '--env', 'DB_POOL_SIZE=').serviceEnv).toEqual({
      BATCH_CONCURRENCY: '8',
      DB_POOL_SIZE: '',
    });
  });

  it('names the flag of a value it cannot use', () => {
    const failure = (...argv: string[]) => {
      try {
        parse(...argv);
      } catch (error) {
        expect(error).toBeInstanceOf(OptionError);
        return (error as Error).message;
      }
      throw new Error('expected a OptionError');
    };
    expect(failure('--scenarios', 'commit,speed')).toMatch(/^--scenarios: unknown speed/);
    expect(failure('--repeats', '0')).toMatch(/^--repeats: must be from 1/);
    expect(failure('--tasks', '1e5x')).toMatch(/^--tasks: must be a whole number/);
    expect(failure('--latency-seconds', 'soon')).toMatch(/^--latency-seconds:/);
    expect(failure('--env', 'lower=1')).toMatch(/^--env:/);
    expect(failure('--redis-url', 'http://x')).toMatch(/^--redis-url: must start with redis:\/\//);
    expect(failure('--rates', ',')).toMatch(/^--rates:/);
    expect(failure('--no-such-flag')).toMatch(/see --help/);
  });
});
