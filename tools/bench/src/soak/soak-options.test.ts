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
      serviceEnv: {},
      jsonPath: '/repo/bench/results-soak.json',
      keepLogs: false,
    });
  });

  it('warms up for a quarter of a short run', () => {
    expect(parse('--minutes', '2').warmupMinutes).toBe(0.5);
    expect(parse('--minutes', '2', '--warmup-minutes', '1').warmupMinutes).toBe(1);
  });

  it('passes --partition-interval and --retention to the services, read as durations', () => {
    const options = parse('--partition-interval', '1m', '--retention', '2h');
    expect(options.partitionInterval).toEqual({ text: '1m', seconds: 60 });
    expect(options.retention).toEqual({ text: '2h', seconds: 7_200 });
    expect(options.serviceEnv).toEqual({ PARTITION_INTERVAL: '1m', TASK_RETENTION: '2h' });
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
      retention: { text: '5m', seconds: 300 },
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
    [['--retention', '2 months'], '--retention'],
    [['--partition-interval', '1.5h'], '--partition-interval'],
    [['--env', 'PARTITION_INTERVAL=daily'], '--env'],
    [['--speed', '3'], 'speed'],
  ])('refuses %j, naming %s', (argv, flag) => {
    expect(() => parse(...argv)).toThrow(OptionError);
    expect(() => parse(...argv)).toThrow(flag);
  });

  it('names the environment variable when an inherited setting cannot be read', () => {
    expect(() => parseSoakArgs([], { ...context, env: { TASK_RETENTION: 'forever' } })).toThrow(
      '--retention: $TASK_RETENTION must be a whole number and a unit',
    );
  });
});
