/**
 * What Linux's /proc says about a process: CPU time from `/proc/<pid>/stat`, resident memory
 * from `/proc/<pid>/status`. The parsers are pure; the readers answer `undefined` for a process
 * that is gone or not on this host (a Redis given by URL may run elsewhere).
 */
import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { promisify } from 'node:util';

/** The fields of `/proc/<pid>/stat` the bench uses; times in clock ticks. */
export interface ProcStat {
  readonly pid: number;
  /** The executable's name, at most 15 characters (`redis-server`, `postgres`, `node`). */
  readonly comm: string;
  readonly ppid: number;
  /** User and system time of the process itself. */
  readonly utime: number;
  readonly stime: number;
  /** User and system time of its children that have exited and been waited for. */
  readonly cutime: number;
  readonly cstime: number;
}

/**
 * Parses one `/proc/<pid>/stat` line. The name sits in parentheses and may hold spaces or
 * parentheses itself, so fields are counted from the last `)`.
 *
 * @example
 * parseProcStat('42 (node) S 1 42 42 0 -1 4194560 1 0 0 0 150 30 4 2 20 0 11 0 …').utime; // 150
 */
export const parseProcStat = (text: string): ProcStat => {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) throw new Error(`not a /proc/<pid>/stat line: ${JSON.stringify(text.slice(0, 80))}`);
  // After the name: state(3) ppid(4) … utime(14) stime(15) cutime(16) cstime(17), numbered as in proc(5).
  const rest = text
    .slice(close + 2)
    .trim()
    .split(/\s+/);
  const field = (number: number): number => {
    const value = Number(rest[number - 3]);
    if (!Number.isFinite(value)) throw new Error(`/proc/<pid>/stat field ${number} is not a number`);
    return value;
  };
  return {
    pid: Number(text.slice(0, open).trim()),
    comm: text.slice(open + 1, close),
    ppid: field(4),
    utime: field(14),
    stime: field(15),
    cutime: field(16),
    cstime: field(17),
  };
};

/**
 * A `kB` field of `/proc/<pid>/status` in MB (2^20 bytes): `VmHWM` is the peak resident set
 * since the process started, `VmRSS` the current one. `undefined` when the field is missing
 * (a kernel thread, a zombie).
 *
 * @example
 * statusMb('VmHWM:\t  153600 kB\n', 'VmHWM'); // 150
 */
export const statusMb = (text: string, field: 'VmHWM' | 'VmRSS'): number | undefined => {
  const match = new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm').exec(text);
  return match?.[1] === undefined ? undefined : Number(match[1]) / 1024;
};

/**
 * CPU ticks spent by each root and everything under it: a process's own time, the time of its
 * children that exited (cutime, cstime), and the time of the children alive now. A process under
 * two of the roots counts once. Taken at the start and the end of a window, the difference
 * counts a child that exited in between exactly once: its ticks move from the live sum into its
 * parent's cutime.
 *
 * @example
 * treeTicks(allStats, [postmasterPid]);
 */
export const treeTicks = (stats: ReadonlyArray<ProcStat>, roots: ReadonlyArray<number>): number => {
  const byParent = new Map<number, ProcStat[]>();
  for (const stat of stats) {
    const siblings = byParent.get(stat.ppid);
    if (siblings === undefined) byParent.set(stat.ppid, [stat]);
    else siblings.push(stat);
  }
  const seen = new Set<number>();
  let ticks = 0;
  const visit = (stat: ProcStat): void => {
    if (seen.has(stat.pid)) return;
    seen.add(stat.pid);
    ticks += stat.utime + stat.stime + stat.cutime + stat.cstime;
    for (const child of byParent.get(stat.pid) ?? []) visit(child);
  };
  for (const root of roots) {
    const top = stats.find((stat) => stat.pid === root);
    if (top !== undefined) visit(top);
  }
  return ticks;
};

/**
 * Busy clock ticks of the whole machine, all cores, from the first line of `/proc/stat`: user,
 * nice, system, irq, softirq and steal (guest time is already inside user). What is busy beyond
 * the processes the bench accounts for is someone else's load on the machine.
 *
 * @example
 * machineBusyTicks('cpu  100 5 50 9000 20 1 2 3 0 0\n…'); // 161
 */
export const machineBusyTicks = (text: string): number => {
  const line = text.split('\n').find((candidate) => candidate.startsWith('cpu '));
  if (line === undefined) throw new Error('/proc/stat has no cpu line');
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = line
    .slice(4)
    .trim()
    .split(/\s+/)
    .map(Number);
  return user + nice + system + irq + softirq + steal;
};

/** Busy ticks of the whole machine, or `undefined` off Linux. */
export const readMachineBusyTicks = async (): Promise<number | undefined> =>
  readFile('/proc/stat', 'utf8').then(machineBusyTicks, () => undefined);

/** One process's stat, or `undefined` when it is gone (or not on this host). */
export const readProcStat = async (pid: number): Promise<ProcStat | undefined> =>
  readFile(`/proc/${pid}/stat`, 'utf8').then(parseProcStat, () => undefined);

/** Every process's stat: what {@link treeTicks} walks. Processes that vanish meanwhile are skipped. */
export const readAllProcStats = async (): Promise<ReadonlyArray<ProcStat>> => {
  const names = await readdir('/proc').catch(() => [] as string[]);
  const pids = names.filter((name) => /^\d+$/.test(name)).map(Number);
  const stats = await Promise.all(pids.map(readProcStat));
  return stats.filter((stat): stat is ProcStat => stat !== undefined);
};

/** The peak resident set of a live process since it started, in MB (`VmHWM`). */
export const readPeakRssMb = async (pid: number): Promise<number | undefined> =>
  readFile(`/proc/${pid}/status`, 'utf8').then(
    (text) => statusMb(text, 'VmHWM'),
    () => undefined,
  );

/** The kernel's clock ticks per second of the /proc times (`getconf CLK_TCK`; 100 almost always). */
export const clockTicksPerSecond = async (): Promise<number> => {
  const answer = await promisify(execFile)('getconf', ['CLK_TCK']).then(
    ({ stdout }) => Number(stdout.trim()),
    () => Number.NaN,
  );
  return Number.isFinite(answer) && answer > 0 ? answer : 100;
};
