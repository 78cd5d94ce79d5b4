import { describe, expect, it } from 'vitest';
import { parseProcStat, readAllProcStats } from './proc-stat.js';

describe('parseProcStat', () => {
  it('reads the parent, own CPU (utime + stime) and reaped children CPU (cutime + cstime)', () => {
    const line = '4242 (postgres) S 4100 4100 4100 0 -1 4194560 900 0 0 0 120 30 7 3 20 0 1 0 500 1000 200 18446744073709551615';
    expect(parseProcStat(line)).toEqual({ pid: 4242, comm: 'postgres', ppid: 4100, ownTicks: 150, reapedChildTicks: 10 });
  });

  it('counts fields from the last parenthesis, so a command name with spaces and parentheses cannot shift them', () => {
    const line = '77 (redis-server *:6379 (x)) R 1 77 77 0 -1 0 0 0 0 0 5 6 0 0 20 0 4 0 9 1 1';
    expect(parseProcStat(line)).toMatchObject({ pid: 77, comm: 'redis-server *:6379 (x)', ppid: 1, ownTicks: 11 });
  });
});

describe('readAllProcStats', () => {
  it('finds this process with its parent', async () => {
    const self = (await readAllProcStats()).find((stat) => stat.pid === process.pid);
    expect(self?.ppid).toBe(process.ppid);
  });
});
