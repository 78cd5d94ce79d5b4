import { describe, expect, it } from 'vitest';
import { metricsPortOf } from './worker-metrics-port.js';

describe('metricsPortOf', () => {
  it('reads the port of the latest start', () => {
    const log = [
      '--- chaos +0.0s: worker-1 start (generation 1)',
      '{"level":"info","message":"worker started","workerId":"w1-g1","metricsPort":40001}',
      '{"level":"info","message":"group committed","size":100}',
      '--- chaos +9.0s: worker-1 start (generation 2)',
      '{"level":"info","message":"worker started","workerId":"w1-g2","metricsPort":40002}',
      '',
    ].join('\n');
    expect(metricsPortOf(log)).toBe(40_002);
  });

  it('has no port before the worker has started', () => {
    expect(metricsPortOf('{"level":"info","message":"connecting"}\n')).toBeUndefined();
    expect(metricsPortOf('')).toBeUndefined();
  });
});
