import { describe, expect, it } from 'vitest';
import { OptionError } from '../option-error.js';
import { DEFAULT_SERVICE_ENV, loadWindowMs, parseChaosArgs } from './chaos-options.js';

const context = { randomSeed: 1234, defaultJsonPath: '/repo/bench/results-chaos.json' };
const parse = (...argv: string[]) => parseChaosArgs(argv, context);

describe('parseChaosArgs', () => {
  it('has defaults that fit a 60 s load with the faults inside it', () => {
    const options = parse();
    expect(options).toMatchObject({
      tasks: 30_000,
      rate: 500,
      workers: 3,
      killEveryMs: 5_000,
      restartAfterMs: 1_000,
      redisRestartAtMs: 18_000,
      pgOutageAtMs: 27_000,
      pgOutageMs: 12_000,
      seed: 1234,
      jsonPath: '/repo/bench/results-chaos.json',
      quiet: false,
    });
    expect(loadWindowMs(options)).toBe(60_000);
    expect(options.serviceEnv).toEqual(DEFAULT_SERVICE_ENV);
  });

  it('reads seconds as milliseconds and a seed as given', () => {
    const options = parse('--kill-every', '2.5', '--pg-outage-seconds', '10', '--seed', '7', '--pg-outage-at', '3');
    expect(options).toMatchObject({ killEveryMs: 2_500, pgOutageMs: 10_000, seed: 7, pgOutageAtMs: 3_000 });
  });

  it('turns a one-off fault off with "off"', () => {
    expect(parse('--redis-restart-at', 'off', '--pg-outage-at', 'off')).toMatchObject({
      redisRestartAtMs: undefined,
      pgOutageAtMs: undefined,
    });
  });

  it('lays --env settings over the defaults', () => {
    const options = parse('--env', 'LOCK_DURATION_MS=8000', '--env', 'DEMO_WORK_MS=5');
    expect(options.serviceEnv).toMatchObject({
      LOCK_DURATION_MS: '8000',
      DEMO_WORK_MS: '5',
      STALLED_INTERVAL_MS: '2000',
    });
  });

  it.each([
    [['--tasks', '0'], '--tasks'],
    [['--tasks', '1.5'], '--tasks'],
    [['--rate', 'fast'], '--rate'],
    [['--env', 'lower=1'], '--env'],
    [['--restart-after', '5'], '--restart-after'],
    [['--tasks', '1000', '--rate', '500', '--pg-outage-at', '2'], '--pg-outage-at'],
    [['--tasks', '1000', '--rate', '500', '--redis-restart-at', '3'], '--redis-restart-at'],
  ])('refuses %j, naming %s', (argv, flag) => {
    expect(() => parse(...argv)).toThrow(OptionError);
    expect(() => parse(...argv)).toThrow(flag);
  });

  it('refuses an unknown option', () => {
    expect(() => parse('--taks', '5')).toThrow(/--taks/);
  });
});
