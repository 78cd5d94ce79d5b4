import { describe, expect, it } from 'vitest';
import {
  clockTicksPerSecond,
  machineBusyTicks,
  parseProcStat,
  readAllProcStats,
  statusMb,
  treeTicks,
  type ProcStat,
} from './proc-stats.js';

/** A /proc/<pid>/stat line with the given times (fields 14–17) and parent. */
const statLine = (
  pid: number,
  comm: string,
  ppid: number,
  [utime, stime, cutime, cstime]: ReadonlyArray<number>,
): string =>
  `${pid} (${comm}) S ${ppid} ${pid} ${pid} 0 -1 4194560 1000 0 0 0 ${utime} ${stime} ${cutime} ${cstime} 20 0 11 0 500 1000000 3000`;

describe('parseProcStat', () => {
  it('reads the parent and the four CPU times', () => {
    expect(parseProcStat(statLine(42, 'node', 7, [150, 30, 4, 2]))).toEqual({
      pid: 42,
      comm: 'node',
      ppid: 7,
      utime: 150,
      stime: 30,
      cutime: 4,
      cstime: 2,
    });
  });

  it('counts fields from the last parenthesis, as a name may hold spaces and parentheses', () => {
    const stat = parseProcStat(statLine(9, 'postgres: io (1) x', 3, [1, 2, 3, 4]));
    expect(stat.comm).toBe('postgres: io (1) x');
    expect(stat.ppid).toBe(3);
    expect(stat.cstime).toBe(4);
  });

  it('refuses a line that is not one', () => {
    expect(() => parseProcStat('nonsense')).toThrow(/not a \/proc/);
  });
});

describe('statusMb', () => {
  const status = 'Name:\tnode\nVmPeak:\t 1200000 kB\nVmHWM:\t  153600 kB\nVmRSS:\t  102400 kB\n';

  it('reads the peak and the current resident set in MB', () => {
    expect(statusMb(status, 'VmHWM')).toBe(150);
    expect(statusMb(status, 'VmRSS')).toBe(100);
  });

  it('is undefined when the field is missing (a kernel thread)', () => {
    expect(statusMb('Name:\tkthreadd\n', 'VmHWM')).toBeUndefined();
  });
});

describe('treeTicks', () => {
  const stat = (pid: number, ppid: number, ticks: ReadonlyArray<number>): ProcStat =>
    parseProcStat(statLine(pid, 'p', ppid, ticks));

  it('adds a process, its reaped children and its live descendants', () => {
    const stats = [
      stat(1, 0, [100, 0, 0, 0]),
      stat(10, 1, [5, 5, 20, 0]),
      stat(11, 10, [3, 0, 0, 0]),
      stat(20, 1, [7, 0, 0, 0]),
      stat(30, 2, [999, 0, 0, 0]),
    ];
    expect(treeTicks(stats, [10])).toBe(33);
    expect(treeTicks(stats, [1])).toBe(140);
  });

  it('counts a process under two roots once, and a root that is gone as nothing', () => {
    const stats = [stat(10, 1, [5, 0, 0, 0]), stat(11, 10, [3, 0, 0, 0])];
    expect(treeTicks(stats, [10, 11])).toBe(8);
    expect(treeTicks(stats, [99])).toBe(0);
  });

  it('counts a child that exits inside a window once: its ticks move into the parent', () => {
    const before = [stat(10, 1, [100, 0, 0, 0]), stat(11, 10, [40, 0, 0, 0])];
    // The child ran 10 more ticks, then exited and was reaped; the parent ran 5 more.
    const after = [stat(10, 1, [105, 0, 50, 0])];
    expect(treeTicks(after, [10]) - treeTicks(before, [10])).toBe(15);
  });
});

describe('machineBusyTicks', () => {
  it('adds user, nice, system, irq, softirq and steal, leaving out idle and iowait', () => {
    expect(machineBusyTicks('cpu  100 5 50 9000 20 1 2 3 0 0\ncpu0 50 2 25 4500 10 0 1 1 0 0\n')).toBe(161);
  });
});

describe('the readers, on this Linux machine', () => {
  it('find this process with its parent among every process', async () => {
    const self = (await readAllProcStats()).find((stat) => stat.pid === process.pid);
    expect(self?.ppid).toBe(process.ppid);
  });

  it('read the clock ticks of the /proc times from the system', async () => {
    expect(await clockTicksPerSecond()).toBeGreaterThan(0);
  });
});
