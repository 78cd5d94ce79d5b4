/**
 * Where the CPU went during a window: the CPU seconds of each kind of process (the workers, the
 * api, redis-server, PostgreSQL with all its backends, this bench process) divided by the
 * window's wall seconds, and `other`: the machine's busy time beyond the bench and everything it
 * started or uses, which is someone else's load disturbing the figures. Read from /proc at the
 * start and at the end of the window, so it costs nothing while the window runs.
 */
import type { CpuSplit, ProcessKind } from './bench-result.js';
import { clockTicksPerSecond, readAllProcStats, readMachineBusyTicks, treeTicks, type ProcStat } from './proc-stats.js';

/** The process trees to account for, by kind: each pid counts with everything under it. */
export type CpuSources = Readonly<Partial<Record<Exclude<ProcessKind, 'bench' | 'other'>, ReadonlyArray<number>>>>;

export interface CpuWindow {
  /** Cores per kind of process. */
  readonly cores: CpuSplit;
  readonly wallSeconds: number;
}

export interface CpuMeter {
  /** Ends the window. */
  stop(): Promise<CpuWindow>;
}

interface Sample {
  readonly byKind: Readonly<Record<string, number>>;
  /** The bench's own tree (its children included) and every source: all that is ours. */
  readonly ours: number;
  readonly machine: number | undefined;
}

const present = (stats: ReadonlyArray<ProcStat>, pids: ReadonlyArray<number>): ReadonlyArray<number> =>
  pids.filter((pid) => stats.some((stat) => stat.pid === pid));

const sample = async (sources: CpuSources, servers: ReadonlyArray<number>): Promise<Sample> => {
  const [stats, machine] = await Promise.all([readAllProcStats(), readMachineBusyTicks()]);
  const byKind: Record<string, number> = {};
  for (const [kind, pids] of Object.entries(sources)) {
    const here = present(stats, pids ?? []);
    if (here.length > 0) byKind[kind] = treeTicks(stats, here);
  }
  const allSources = Object.values(sources).flatMap((pids) => pids ?? []);
  return { byKind, ours: treeTicks(stats, [process.pid, ...servers, ...allSources]), machine };
};

/**
 * Starts a window. `servers` are the Redis and PostgreSQL pids when they run here but were not
 * started by the bench (given by URL): theirs is not foreign load. Kinds whose processes cannot
 * be seen (not on this host) are left out of the answer rather than reported as idle.
 *
 * @example
 * const meter = await startCpuMeter({ worker: [worker.pid], redis: [redisPid], postgres: [postmasterPid] });
 * // … the run …
 * const { cores } = await meter.stop(); // { worker: 0.97, redis: 0.68, postgres: 0.21, bench: 0.02, other: 0 }
 */
export const startCpuMeter = async (sources: CpuSources, servers: ReadonlyArray<number> = []): Promise<CpuMeter> => {
  const hz = await clockTicksPerSecond();
  const startedAt = performance.now();
  const benchAt = process.cpuUsage();
  const before = await sample(sources, servers);
  return {
    stop: async () => {
      const after = await sample(sources, servers);
      const bench = process.cpuUsage(benchAt);
      const wallSeconds = (performance.now() - startedAt) / 1000;
      const cores = (ticks: number): number => ticks / hz / wallSeconds;
      const split: Partial<Record<ProcessKind, number>> = { bench: (bench.user + bench.system) / 1e6 / wallSeconds };
      for (const [kind, ticks] of Object.entries(after.byKind)) {
        const start = before.byKind[kind];
        if (start !== undefined) split[kind as ProcessKind] = cores(ticks - start);
      }
      if (before.machine !== undefined && after.machine !== undefined) {
        // Tick counts are sampled a moment apart, so a quiet machine can read a hair below zero.
        split.other = Math.max(0, cores(after.machine - before.machine - (after.ours - before.ours)));
      }
      return { cores: split, wallSeconds };
    },
  };
};
