import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { promisify } from 'node:util';

/** What /proc/<pid>/stat says about a process's CPU, in clock ticks (see {@link clockTicksPerSecond}). */
export interface ProcStat {
  readonly pid: number;
  readonly comm: string;
  readonly ppid: number;
  /** utime + stime: CPU the process itself used. */
  readonly ownTicks: number;
  /** cutime + cstime: CPU of its children that exited and that it waited for. */
  readonly reapedChildTicks: number;
}

/**
 * Parses one /proc/<pid>/stat line. The command name sits in parentheses and may itself hold
 * spaces and parentheses, so the fields are counted from the last `)`.
 *
 * @example
 * parseProcStat('42 (node) S 1 …').ppid; // 1
 */
export const parseProcStat = (text: string): ProcStat => {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open === -1 || close < open) throw new Error(`not a /proc/<pid>/stat line: ${JSON.stringify(text.slice(0, 80))}`);
  // After the name: state(3) ppid(4) … utime(14) stime(15) cutime(16) cstime(17), 1-based as in proc(5).
  const fields = text.slice(close + 2).trim().split(/\s+/);
  const field = (position: number): number => Number(fields[position - 3]);
  return {
    pid: Number(text.slice(0, open).trim()),
    comm: text.slice(open + 1, close),
    ppid: field(4),
    ownTicks: field(14) + field(15),
    reapedChildTicks: field(16) + field(17),
  };
};

/** Every process's stat that can be read now; processes that exit while we look are skipped. */
export const readAllProcStats = async (): Promise<ReadonlyArray<ProcStat>> => {
  const pids = (await readdir('/proc')).filter((name) => /^\d+$/.test(name));
  const stats = await Promise.all(
    pids.map((pid) =>
      readFile(`/proc/${pid}/stat`, 'utf8').then(
        (text) => parseProcStat(text),
        () => undefined,
      ),
    ),
  );
  return stats.filter((stat): stat is ProcStat => stat !== undefined);
};

/** Busy and total clock ticks of the whole machine, all cores, from the `cpu` line of /proc/stat. */
export const readMachineTicks = async (): Promise<{ readonly busy: number; readonly total: number }> => {
  const line = (await readFile('/proc/stat', 'utf8')).split('\n').find((each) => each.startsWith('cpu '));
  // user nice system idle iowait irq softirq steal guest guest_nice; guest time is already in user.
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = (line ?? '')
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  const total = user + nice + system + idle + iowait + irq + softirq + steal;
  return { busy: total - idle - iowait, total };
};

/** Clock ticks per second of the counters in /proc (USER_HZ, nearly always 100). */
export const clockTicksPerSecond = async (): Promise<number> =>
  promisify(execFile)('getconf', ['CLK_TCK']).then(
    ({ stdout }) => Number(stdout.trim()) || 100,
    () => 100,
  );

/** The most resident memory a process has had (VmHWM), in bytes; undefined once it has exited. */
export const peakRssBytes = async (pid: number): Promise<number | undefined> =>
  readFile(`/proc/${pid}/status`, 'utf8').then(
    (text) => {
      const kb = /^VmHWM:\s+(\d+)\s+kB/m.exec(text)?.[1];
      return kb === undefined ? undefined : Number(kb) * 1_024;
    },
    () => undefined,
  );
