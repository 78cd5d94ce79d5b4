/**
 * Each Redis server's part of a measurement: on a cluster each primary runs the shards whose slots
 * it holds, on its one command thread, so the busiest primary is where Redis's ceiling lies.
 */
import { parseCommandStats } from '../bench/redis-command-stats.js';

/** BullMQ runs every job transition as a Lua script: these are its commands (and their read-only forms). */
const SCRIPT_COMMANDS = ['evalsha', 'eval', 'evalsha_ro', 'eval_ro', 'fcall', 'fcall_ro'] as const;

/** What one Redis server said at one moment, from `INFO cpu commandstats`. */
export interface RedisReading {
  /**
   * `used_cpu_user + used_cpu_sys`: the redis-server process's CPU since it started, in seconds,
   * to the µs. Not /proc/<pid>/stat, which counts 10 ms ticks: a primary uses a few hundred ms in
   * a measurement, so a tick would be several per cent of it.
   */
  readonly cpuSeconds: number;
  /** Script calls since the last `CONFIG RESETSTAT`. */
  readonly scriptCalls: number;
}

/**
 * Reads a server's CPU and script calls from its `INFO cpu commandstats` answer.
 *
 * @example
 * readingOf('used_cpu_sys:0.5\r\nused_cpu_user:1.25\r\ncmdstat_evalsha:calls=7,usec=90,usec_per_call=12.86\r\n');
 * // { cpuSeconds: 1.75, scriptCalls: 7 }
 */
export const readingOf = (info: string): RedisReading => {
  const field = (name: string): number => {
    const value = new RegExp(`^${name}:([0-9.]+)`, 'm').exec(info)?.[1];
    if (value === undefined) throw new Error(`INFO has no ${name}: ask for the cpu section`);
    return Number(value);
  };
  const stats = parseCommandStats(info);
  return {
    cpuSeconds: field('used_cpu_user') + field('used_cpu_sys'),
    scriptCalls: SCRIPT_COMMANDS.reduce((sum, command) => sum + (stats.get(command)?.calls ?? 0), 0),
  };
};

/** One server, read at the start and at the end of a measurement's window. */
export interface ServerReadings {
  /** `host:port` of a primary, or `redis` for the one server. */
  readonly server: string;
  /** The queue shards (numbered from 0) whose slots it holds. */
  readonly shards: ReadonlyArray<number>;
  readonly before: RedisReading;
  readonly after: RedisReading;
}

/** One server's figures over a measurement's window. */
export interface PrimaryFigures {
  readonly server: string;
  readonly shards: ReadonlyArray<number>;
  readonly scriptCalls: number;
  /** Its share of every server's script calls, from 0 to 1: how evenly the shards spread the work. */
  readonly scriptShare: number;
  /**
   * Its CPU in µs over the window, divided by every task that finished in it (not only its shards'
   * tasks): at N tasks/s in all, this server needs N × this µs of CPU a second.
   */
  readonly cpuUsecPerTask: number;
  /** Cores it kept busy on average: 1 is its one command thread full. */
  readonly cores: number;
}

/**
 * Each server's share of the script calls, its CPU per task of the whole stream and the cores it
 * kept busy, over a window of `windowMs` in which `tasks` tasks finished.
 *
 * @example
 * primaryFigures(readings, { windowMs: 4_000, tasks: 28_500 })[0]; // { server: '127.0.0.1:7001', cpuUsecPerTask: 2.9, … }
 */
export const primaryFigures = (
  readings: ReadonlyArray<ServerReadings>,
  window: { readonly windowMs: number; readonly tasks: number },
): ReadonlyArray<PrimaryFigures> => {
  const calls = readings.map(({ before, after }) => Math.max(0, after.scriptCalls - before.scriptCalls));
  const allCalls = calls.reduce((sum, count) => sum + count, 0);
  return readings.map(({ server, shards, before, after }, index) => {
    const cpuSeconds = Math.max(0, after.cpuSeconds - before.cpuSeconds);
    const scriptCalls = calls[index] ?? 0;
    return {
      server,
      shards,
      scriptCalls,
      scriptShare: allCalls === 0 ? 0 : scriptCalls / allCalls,
      cpuUsecPerTask: window.tasks === 0 ? 0 : (cpuSeconds * 1e6) / window.tasks,
      cores: window.windowMs <= 0 ? 0 : cpuSeconds / (window.windowMs / 1_000),
    };
  });
};

/**
 * The tasks/s at which the busiest server's one core would be full: a second of CPU over that
 * server's µs per task. A projection from CPU per task, which holds while the work per task stays
 * the same as throughput grows; undefined when no server used any CPU.
 *
 * @example
 * redisCeiling(primaryFigures(readings, window)); // { server: '127.0.0.1:7002', tasksPerSecond: 310_000 }
 */
export const redisCeiling = (
  figures: ReadonlyArray<PrimaryFigures>,
): { readonly server: string; readonly tasksPerSecond: number } | undefined => {
  const busiest = figures.reduce<PrimaryFigures | undefined>(
    (top, figure) => (top === undefined || figure.cpuUsecPerTask > top.cpuUsecPerTask ? figure : top),
    undefined,
  );
  if (busiest === undefined || busiest.cpuUsecPerTask <= 0) return undefined;
  return { server: busiest.server, tasksPerSecond: 1e6 / busiest.cpuUsecPerTask };
};
