import { describe, expect, it } from 'vitest';
import { parseScaleArgs } from './scale-options.js';

const context = { defaultJsonPath: '/repo/bench/results-scale.json' };

describe('parseScaleArgs', () => {
  it('runs 1, 2 and 4 workers on 50,000 tasks each by default', () => {
    expect(parseScaleArgs([], context)).toEqual({
      workerCounts: [1, 2, 4],
      tasks: 50_000,
      perRequest: 5_000,
      inFlight: 4,
      drainTimeoutMs: 300_000,
      jsonPath: '/repo/bench/results-scale.json',
      serviceEnv: {},
      help: false,
    });
  });

  it('takes the rounds, the task count and the JSON path from the command line', () => {
    expect(parseScaleArgs(['--workers', '1,3', '--tasks', '2000', '--json', 'out.json'], context)).toMatchObject({
      workerCounts: [1, 3],
      tasks: 2_000,
      jsonPath: 'out.json',
    });
  });

  it('passes --env settings on to the api and the workers, and refuses one without a name', () => {
    expect(parseScaleArgs(['--env', 'BATCH_CONCURRENCY=8', '--env', 'LOG_LEVEL=warn'], context).serviceEnv).toEqual({
      BATCH_CONCURRENCY: '8',
      LOG_LEVEL: 'warn',
    });
    expect(() => parseScaleArgs(['--env', 'batch=1'], context)).toThrow(/--env: expected NAME=value/);
  });

  it('refuses a worker count that is not a whole number, naming the flag', () => {
    expect(() => parseScaleArgs(['--workers', '1,two'], context)).toThrow(
      '--workers: must be a whole number (got "two")',
    );
    expect(() => parseScaleArgs(['--tasks', '0'], context)).toThrow('--tasks: must be from 1 to 1000000 (got 0)');
  });

  it('runs on one Redis unless --cluster is given', () => {
    expect(parseScaleArgs(['--workers', '2'], context).cluster).toBeUndefined();
  });

  it('starts a Redis Cluster of --cluster primaries with twice as many shards unless --shards says otherwise', () => {
    expect(parseScaleArgs(['--cluster', '3'], context).cluster).toEqual({ primaries: 3, shards: 6 });
    expect(parseScaleArgs(['--cluster', '4', '--shards', '12'], context).cluster).toEqual({ primaries: 4, shards: 12 });
  });

  it('refuses a cluster of fewer than 3 primaries, and --shards without --cluster', () => {
    expect(() => parseScaleArgs(['--cluster', '2'], context)).toThrow('--cluster: must be from 3 to 16 (got 2)');
    expect(() => parseScaleArgs(['--shards', '4'], context)).toThrow('--shards: only with --cluster');
    expect(() => parseScaleArgs(['--cluster', '3', '--shards', '0'], context)).toThrow(
      '--shards: must be from 1 to 1024 (got 0)',
    );
  });

  it('refuses an --env setting that would move the services off the Redis and the queues the run measures', () => {
    expect(() => parseScaleArgs(['--env', 'QUEUE_SHARDS=4'], context)).toThrow("--env: QUEUE_SHARDS is the run's own");
    expect(() => parseScaleArgs(['--cluster', '3', '--env', 'REDIS_URL=redis://elsewhere:6379'], context)).toThrow(
      "--env: REDIS_URL is the run's own",
    );
  });

  it('refuses an unknown flag and points at --help', () => {
    expect(() => parseScaleArgs(['--scale'], context)).toThrow(/see --help/);
  });
});
