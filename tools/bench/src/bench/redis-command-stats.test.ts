import { describe, expect, it } from 'vitest';
import { commandCostPerTask, medianCommandCosts, parseCommandStats } from './redis-command-stats.js';

const info = (evalsha: number, usec: number): string =>
  [
    '# Commandstats',
    `cmdstat_evalsha:calls=${evalsha},usec=${usec},usec_per_call=1.00,rejected_calls=0,failed_calls=0`,
    'cmdstat_bzpopmin:calls=10,usec=40,usec_per_call=4.00,rejected_calls=0,failed_calls=0',
    '',
  ].join('\r\n');

describe('parseCommandStats', () => {
  it('reads calls and µs per command', () => {
    const stats = parseCommandStats(info(300, 45_000));
    expect(stats.get('evalsha')).toEqual({ calls: 300, usec: 45_000 });
    expect(stats.get('bzpopmin')).toEqual({ calls: 10, usec: 40 });
    expect(stats.size).toBe(2);
  });
});

describe('commandCostPerTask', () => {
  it('gives calls and µs per task between two snapshots, costliest first, idle commands left out', () => {
    const costs = commandCostPerTask(parseCommandStats(info(100, 5_000)), parseCommandStats(info(400, 50_000)), 100);
    expect(costs).toEqual([{ command: 'evalsha', callsPerTask: 3, usecPerTask: 450 }]);
  });

  it('counts from zero when the server reset its statistics in between', () => {
    const costs = commandCostPerTask(parseCommandStats(info(400, 50_000)), parseCommandStats(info(100, 5_000)), 100);
    expect(costs[0]).toEqual({ command: 'evalsha', callsPerTask: 1, usecPerTask: 50 });
  });
});

describe('medianCommandCosts', () => {
  it('takes the median of each command over the runs, costliest first, a command a run lacks as 0 there', () => {
    const costs = medianCommandCosts([
      [
        { command: 'evalsha', callsPerTask: 2, usecPerTask: 80 },
        { command: 'lrem', callsPerTask: 1, usecPerTask: 9 },
      ],
      [{ command: 'evalsha', callsPerTask: 2, usecPerTask: 90 }],
      [
        { command: 'evalsha', callsPerTask: 2.2, usecPerTask: 70 },
        { command: 'lrem', callsPerTask: 1, usecPerTask: 11 },
      ],
    ]);
    expect(costs).toEqual([
      { command: 'evalsha', callsPerTask: 2, usecPerTask: 80 },
      { command: 'lrem', callsPerTask: 1, usecPerTask: 9 },
    ]);
  });
});
