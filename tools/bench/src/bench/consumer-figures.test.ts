import { describe, expect, it } from 'vitest';
import type { Consumer, ThroughputRun } from './bench-result.js';
import { consumerFigures, ratioPerRepeat, runFiguresOf } from './consumer-figures.js';

const run = (consumer: Consumer, repeat: number, tasksPerSecond: number, redisMicros = 60): ThroughputRun => ({
  consumer,
  repeat,
  tasks: 100_000,
  seconds: 100_000 / tasksPerSecond,
  tasksPerSecond,
  submitSeconds: 4,
  cpu: { worker: 0.6 + repeat / 100, redis: 0.75 },
  cpuMicrosPerTask: 200 + repeat,
  cpuPerTask: { worker: 70 + repeat, redis: 90 },
  redisPerTask: [{ command: 'evalsha', callsPerTask: 2, usecPerTask: redisMicros }],
  redisMicrosPerTask: redisMicros,
});

describe('runFiguresOf', () => {
  // 100,000 tasks in 1,000 parcels over 10 s: the worker kept 0.5 cores busy, Redis 0.4.
  const measured = {
    consumer: 'sluice-1' as const,
    repeat: 1,
    tasks: 100_000,
    seconds: 10,
    submitSeconds: 4,
    window: { cores: { worker: 0.5, redis: 0.4, api: 0.3, bench: 0.02 }, wallSeconds: 10 },
    redisCosts: [
      { command: 'evalsha', callsPerTask: 0.02, usecPerTask: 30 },
      { command: 'hset', callsPerTask: 0.01, usecPerTask: 2 },
    ],
  };

  it('gives every figure per task, whatever number of jobs carried them', () => {
    const run = runFiguresOf(measured);
    expect(run.tasksPerSecond).toBe(10_000);
    expect(run.cpuPerTask).toEqual({ worker: 50, api: 30, redis: 40 });
    expect(run.cpuMicrosPerTask).toBe(120);
    expect(run.cpu).toEqual(measured.window.cores);
  });

  it("takes Redis's µs per task from its CPU, not from the commands summed, which count a script's inner commands twice", () => {
    const run = runFiguresOf(measured);
    expect(run.redisMicrosPerTask).toBe(40);
    expect(run.redisPerTask).toEqual(measured.redisCosts);
  });

  it("has no Redis figure when Redis's CPU could not be read (another host)", () => {
    const run = runFiguresOf({ ...measured, window: { cores: { worker: 0.5 }, wallSeconds: 10 } });
    expect(run.redisMicrosPerTask).toBeNaN();
    expect(run.cpuPerTask).toEqual({ worker: 50 });
  });
});

describe('consumerFigures', () => {
  it('gives each consumer that ran the spread of its figures and the median of its CPU split', () => {
    const figures = consumerFigures([
      run('sluice-1', 1, 8_000, 61),
      run('bullmq-noop', 1, 9_500),
      run('sluice-1', 2, 7_600, 65),
      run('sluice-1', 3, 8_200, 62),
    ]);
    expect(Object.keys(figures.tasksPerSecond)).toEqual(['sluice-1', 'bullmq-noop']);
    expect(figures.tasksPerSecond['sluice-1']).toEqual({ median: 8_000, min: 7_600, max: 8_200, n: 3 });
    expect(figures.cpu['sluice-1']).toEqual({ worker: 0.62, redis: 0.75 });
    expect(figures.cpuMicrosPerTask['sluice-1']).toEqual({ median: 202, min: 201, max: 203, n: 3 });
    expect(figures.cpuPerTask['sluice-1']).toEqual({ worker: 72, redis: 90 });
    expect(figures.redisMicrosPerTask['sluice-1']).toEqual({ median: 62, min: 61, max: 65, n: 3 });
    expect(figures.redisCommands['sluice-1']).toEqual([{ command: 'evalsha', callsPerTask: 2, usecPerTask: 62 }]);
    expect(figures.tasksPerSecond['sluice-2']).toBeUndefined();
  });
});

describe('ratioPerRepeat', () => {
  it('divides the two rates of each repeat, whatever order the runs came in', () => {
    const runs = [
      run('sluice-1', 1, 8_000),
      run('bullmq-noop', 1, 10_000),
      run('bullmq-noop', 2, 9_000),
      run('sluice-1', 2, 8_100),
    ];
    const spread = ratioPerRepeat(runs, 'sluice-1', 'bullmq-noop');
    expect(spread).toMatchObject({ min: 0.8, max: 0.9, n: 2 });
    expect(spread.median).toBeCloseTo(0.85, 10);
  });

  it('leaves out a repeat in which one of the two did not run', () => {
    const runs = [run('sluice-1', 1, 8_000), run('bullmq-noop', 1, 10_000), run('sluice-1', 2, 8_100)];
    expect(ratioPerRepeat(runs, 'sluice-1', 'bullmq-noop').n).toBe(1);
    expect(ratioPerRepeat(runs, 'sluice-1', 'bullmq-insert').n).toBe(0);
  });
});
