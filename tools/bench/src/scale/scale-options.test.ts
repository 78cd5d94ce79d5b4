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

  it('refuses an unknown flag and points at --help', () => {
    expect(() => parseScaleArgs(['--scale'], context)).toThrow(/see --help/);
  });
});
