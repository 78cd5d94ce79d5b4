import { describe, expect, it } from 'vitest';
import { OptionError } from '../option-error.js';
import { parseSoakArgs } from './soak-options.js';

const context = { defaultJsonPath: '/repo/bench/results-soak.json', env: {} };
const parse = (...argv: string[]) => parseSoakArgs(argv, context);

describe('parseSoakArgs', () => {
  it('soaks 30 minutes at 2,000 tasks/s on 2 workers, judged after 5 minutes, by default', () => {
    expect(parse()).toMatchObject({
      minutes: 30,
      rate: 2_000,
      workers: 2,
      warmupMinutes: 5,
      perRequest: 100,
      drainTimeoutMs: 120_000,
      partitionInterval: undefined,
      retention: undefined,
      // The services' own defaults: daily partitions, rows kept a week.
      partitions: { intervalSeconds: 86_400, retentionSeconds: 604_800 },
      serviceEnv: {},
      jsonPath: '/repo/bench/results-soak.json',
      keepLogs: false,
    });
  });

  it('warms up for a quarter of a short run', () => {
    expect(parse('--minutes', '2').warmupMinutes).toBe(0.5);
    expect(parse('--minutes', '2', '--warmup-minutes', '1').warmupMinutes).toBe(1);
  });

  it('passes --partition-interval and --retention to the services, and reads them as the services will', () => {
    const options = parse('--partition-interval', '1m', '--retention', '2h');
    expect(options).toMatchObject({
      partitionInterval: '1m',
      retention: '2h',
      partitions: { intervalSeconds: 60, retentionSeconds: 7_200 },
      serviceEnv: { PARTITION_INTERVAL: '1m', TASK_RETENTION: '2h' },
    });
  });

  it("takes them from this process's environment when the flags are not given, and the flags over it", () => {
    const env = { PARTITION_INTERVAL: '1h', TASK_RETENTION: '3d' };
    expect(parseSoakArgs([], { ...context, env }).serviceEnv).toEqual(env);
    expect(parseSoakArgs(['--retention', '2m'], { ...context, env }).serviceEnv).toEqual({
      PARTITION_INTERVAL: '1h',
      TASK_RETENTION: '2m',
    });
  });

  it('reads them from --env too, and leaves them unset when nothing sets them', () => {
    expect(parse('--env', 'TASK_RETENTION=5m', '--env', 'BATCH_SIZE=50')).toMatchObject({
      retention: '5m',
      partitions: { retentionSeconds: 300 },
      serviceEnv: { TASK_RETENTION: '5m', BATCH_SIZE: '50' },
    });
    expect(parseSoakArgs([], { ...context, env: { PARTITION_INTERVAL: '' } }).serviceEnv).toEqual({});
  });

  it.each([
    [['--minutes', 'long'], '--minutes'],
    [['--minutes', '0'], '--minutes'],
    [['--rate', '0'], '--rate'],
    [['--workers', '1.5'], '--workers'],
    [['--per-request', '10001'], '--per-request'],
    [['--minutes', '1', '--warmup-minutes', '0.75'], '--warmup-minutes'],
    [['--minutes', '1', '--warmup-minutes', '2'], '--warmup-minutes'],
    [['--retention', '2 months'], '--retention: TASK_RETENTION must be a whole number and a unit'],
    [['--retention', '30s'], '--retention: TASK_RETENTION must be from 1m'],
    [['--partition-interval', '1.5h'], '--partition-interval: PARTITION_INTERVAL must be'],
    [['--env', 'PARTITION_INTERVAL=daily'], 'PARTITION_INTERVAL must be a whole number and a unit'],
    [['--retention', '3650d', '--partition-interval', '1m'], '--partition-interval: PARTITION_INTERVAL keeps'],
    [['--env', 'BATCH_SIZE=0'], '--env: BATCH_SIZE'],
    [['--speed', '3'], 'speed'],
  ])('refuses %j, naming %s', (argv, flag) => {
    expect(() => parse(...argv)).toThrow(OptionError);
    expect(() => parse(...argv)).toThrow(flag);
  });

  it('names the variable when a setting inherited from the environment cannot be used', () => {
    expect(() => parseSoakArgs([], { ...context, env: { TASK_RETENTION: 'forever' } })).toThrow(
      '--retention: TASK_RETENTION must be a whole number and a unit',
    );
  });
});
