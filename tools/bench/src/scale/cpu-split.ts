import type { ProcStat } from '../bench/proc-stats.js';

/** The parts of the stack whose CPU a round measures. */
export const CPU_PARTS = ['workers', 'api', 'redis', 'postgres', 'driver'] as const;
export type CpuPart = (typeof CPU_PARTS)[number];

/** Who is who among the processes: the pids this run started or found. */
export interface StackPids {
  readonly workers: ReadonlyArray<number>;
  readonly api: number;
  /** The redis-server, or each primary of a cluster. */
  readonly redis: ReadonlyArray<number>;
  /** The postmaster; its children are the backends and background processes. */
  readonly postgres: number;
  /** This process: it submits the load and polls for the last commit. */
  readonly driver: number;
}

/** CPU ticks used so far by each part, and by the whole machine. */
export interface CpuSample {
  readonly ticks: Readonly<Record<CpuPart, number>>;
  readonly machineBusyTicks: number;
}

/**
 * Adds up each part's ticks from one reading of every process. PostgreSQL counts the postmaster,
 * the backends alive now, and (through the postmaster's reaped-children counter) the ones that
 * have exited since it started.
 */
export const sampleOf = (stats: ReadonlyArray<ProcStat>, pids: StackPids, machineBusyTicks: number): CpuSample => {
  const byPid = new Map(stats.map((stat) => [stat.pid, stat]));
  const ownOf = (stat: ProcStat): number => stat.utime + stat.stime;
  const own = (pid: number): number => {
    const stat = byPid.get(pid);
    return stat === undefined ? 0 : ownOf(stat);
  };
  const postmaster = byPid.get(pids.postgres);
  const backends = stats.filter((stat) => stat.ppid === pids.postgres).reduce((sum, stat) => sum + ownOf(stat), 0);
  return {
    ticks: {
      workers: pids.workers.reduce((sum, pid) => sum + own(pid), 0),
      api: own(pids.api),
      redis: pids.redis.reduce((sum, pid) => sum + own(pid), 0),
      postgres: (postmaster ? ownOf(postmaster) + postmaster.cutime + postmaster.cstime : 0) + backends,
      driver: own(pids.driver),
    },
    machineBusyTicks,
  };
};

/** Cores each part kept busy on average over a window; `other` is the machine's remainder. */
export interface CpuSplit {
  readonly cores: Readonly<Record<CpuPart | 'other', number>>;
  readonly machineBusyCores: number;
}

/**
 * The average number of cores each part used between two samples taken `wallMs` apart.
 *
 * @example
 * cpuSplit(before, after, 10_000, 100).cores.redis; // 0.93: redis-server kept 93 % of one core busy
 */
export const cpuSplit = (before: CpuSample, after: CpuSample, wallMs: number, ticksPerSecond: number): CpuSplit => {
  const seconds = wallMs / 1_000;
  const coresOf = (ticks: number): number => Math.max(0, ticks) / ticksPerSecond / seconds;
  const parts = Object.fromEntries(
    CPU_PARTS.map((part) => [part, coresOf(after.ticks[part] - before.ticks[part])]),
  ) as Record<CpuPart, number>;
  const machineBusyCores = coresOf(after.machineBusyTicks - before.machineBusyTicks);
  const known = CPU_PARTS.reduce((sum, part) => sum + parts[part], 0);
  return { cores: { ...parts, other: Math.max(0, machineBusyCores - known) }, machineBusyCores };
};

/**
 * The µs of CPU each part used per task, from the cores it kept busy over a window of `windowMs`
 * in which `tasks` tasks finished: a core's second over this is the tasks/s at which that part
 * fills a core.
 *
 * @example
 * cpuPerTask(split, 4_000, 28_500).workers; // 95: 95 µs of worker CPU a task
 */
export const cpuPerTask = (
  split: CpuSplit,
  windowMs: number,
  tasks: number,
): Readonly<Record<CpuPart | 'other', number>> => {
  const perTask = (cores: number): number => (tasks === 0 ? 0 : (cores * windowMs * 1_000) / tasks);
  return Object.fromEntries(Object.entries(split.cores).map(([part, cores]) => [part, perTask(cores)])) as Record<
    CpuPart | 'other',
    number
  >;
};

/** What held a round back. */
export interface Bound {
  readonly limit: 'redis' | 'cpu' | 'latency';
  readonly text: string;
}

/** One core's worth of busy time, counted as saturated from this share on (sampling is coarse). */
const SATURATED = 0.85;
/** Cores used outside the stack from which a round is reported as run on a shared machine. */
const SHARED = 0.25;

/**
 * Names what limited a round from its CPU split: Redis when redis-server kept its one core busy
 * (it runs commands on one thread), the machine's CPU when every core was busy (naming who used
 * it), otherwise latency (the parts waited on each other with cores to spare).
 *
 * @example
 * describeBound(split, 2).text; // 'CPU: 1.97 of 2 cores busy; Node 1.21 (workers 1.02 …), Redis 0.49, PostgreSQL 0.21'
 */
export const describeBound = (split: CpuSplit, cores: number): Bound => {
  const { cores: used } = split;
  const node = used.workers + used.api + used.driver;
  const share =
    `Node ${node.toFixed(2)} (workers ${used.workers.toFixed(2)}, api ${used.api.toFixed(2)}, ` +
    `load driver ${used.driver.toFixed(2)}), Redis ${used.redis.toFixed(2)}, PostgreSQL ${used.postgres.toFixed(2)}, ` +
    `other ${used.other.toFixed(2)}`;
  // Other processes on the machine (other work, the kernel's I/O threads) are not the stack's
  // bottleneck, but they take cores from it: say so when they took a noticeable share.
  const shared = used.other >= SHARED ? ` (${used.other.toFixed(2)} of them outside this stack)` : '';
  const busy = `${split.machineBusyCores.toFixed(2)} of ${cores} cores busy${shared}`;
  if (used.redis >= SATURATED)
    return {
      limit: 'redis',
      text: `Redis: redis-server at ${used.redis.toFixed(2)} of its one core; ${busy}; ${share}`,
    };
  if (split.machineBusyCores >= SATURATED * cores) return { limit: 'cpu', text: `CPU: ${busy}; ${share}` };
  return { limit: 'latency', text: `latency, not CPU: ${busy}; ${share}` };
};
