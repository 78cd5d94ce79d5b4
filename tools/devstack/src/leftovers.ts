/**
 * Finds and stops what an earlier devstack left running when it died without cleaning up
 * (both it and `npm start` SIGKILLed, the OOM killer), so this run can start on the same data
 * and port. Linux only, as it reads /proc; elsewhere it finds nothing and PostgreSQL's own lock
 * file still prevents two servers on one data folder.
 *
 * A process is a leftover when it is:
 * - in the process group of the dead devstack (it led the group of everything it started);
 * - a redis-server working in our Redis folder (redis-server changes directory to its --dir);
 * - the postmaster named in our PostgreSQL folder's postmaster.pid.
 */
import { readdir, readFile, readlink, realpath } from 'node:fs/promises';
import { basename, isAbsolute, join, relative } from 'node:path';
import type { LogStream } from './log-stream.js';

interface Leftover {
  readonly pid: number;
  readonly what: string;
  /** Redis saves its AOF on SIGTERM; SIGINT is PostgreSQL's fast shutdown; apps flush on SIGTERM. */
  readonly signal: NodeJS.Signals;
  /** Servers go after the api and workers, which may still be committing into them. */
  readonly server: boolean;
}

export interface LeftoverOptions {
  /** Our Redis data folder; when absent only the dead devstack's group is searched. */
  readonly redisDir?: string;
  /** Our PostgreSQL data folder; likewise. */
  readonly postgresDir?: string;
  /** The pid of the devstack that held the lock and died, if any. */
  readonly deadOwner?: number;
  readonly log: LogStream;
  /** How long each wave (apps, then servers) may take before SIGKILL, in ms. Default 35,000. */
  readonly graceMs?: number;
}

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const signal = (pid: number, name: NodeJS.Signals): void => {
  try {
    process.kill(pid, name);
  } catch {
    // It went away by itself.
  }
};

interface ProcInfo {
  readonly pid: number;
  readonly pgid: number;
  readonly comm: string;
}

/** Every process /proc shows us, with its group and command name. */
const processes = async (): Promise<ReadonlyArray<ProcInfo>> => {
  const entries = await readdir('/proc').catch(() => [] as string[]);
  const found: ProcInfo[] = [];
  for (const entry of entries) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
    // "pid (comm) state ppid pgrp …": comm may hold spaces and parentheses, so cut at the last ')'.
    const close = stat.lastIndexOf(')');
    if (close < 0) continue;
    const comm = stat.slice(stat.indexOf('(') + 1, close);
    const pgid = Number(stat.slice(close + 2).split(' ')[2]);
    found.push({ pid, pgid, comm });
  }
  return found;
};

/** `node apps/api/dist/main.js`, to say which of our processes it was. */
const commandOf = async (info: ProcInfo): Promise<string> => {
  const cmdline = await readFile(`/proc/${info.pid}/cmdline`, 'utf8').catch(() => '');
  const [program, ...args] = cmdline.split('\0').filter(Boolean);
  if (program === undefined) return info.comm;
  const command = [
    basename(program),
    ...args.map((arg) => (isAbsolute(arg) ? relative(process.cwd(), arg) : arg)),
  ].join(' ');
  return command.length > 80 ? `${command.slice(0, 77)}…` : command;
};

const cwdOf = (pid: number): Promise<string | undefined> => readlink(`/proc/${pid}/cwd`).catch(() => undefined);

const find = async (options: LeftoverOptions): Promise<ReadonlyArray<Leftover>> => {
  // /proc shows working directories with symlinks resolved; compare like with like.
  const real = (dir: string | undefined): Promise<string | undefined> =>
    dir === undefined ? Promise.resolve(undefined) : realpath(dir).catch(() => dir);
  const redisDir = await real(options.redisDir);
  const postgresDir = await real(options.postgresDir);
  const pidFile =
    options.postgresDir === undefined
      ? ''
      : await readFile(join(options.postgresDir, 'postmaster.pid'), 'utf8').catch(() => '');
  const postmaster = Number(pidFile.split('\n')[0]);

  // A live process under that pid is not our dead devstack but a newcomer that reused the pid,
  // and its group is none of our business. A dead leader's group id, though, cannot be reused
  // while any member lives, so its members are exactly what the devstack left behind.
  const deadGroup = options.deadOwner !== undefined && !isAlive(options.deadOwner) ? options.deadOwner : undefined;
  const leftovers = new Map<number, Leftover>();
  for (const info of await processes()) {
    const inDeadGroup = deadGroup !== undefined && info.pgid === deadGroup;
    const redis = info.comm.startsWith('redis-server');
    if (redis && (inDeadGroup || (redisDir !== undefined && (await cwdOf(info.pid)) === redisDir))) {
      leftovers.set(info.pid, { pid: info.pid, what: 'redis-server', signal: 'SIGTERM', server: true });
    } else if (
      info.comm === 'postgres' &&
      // PostgreSQL's backends each lead a group of their own, so in the group it is the postmaster.
      (inDeadGroup || (info.pid === postmaster && (await cwdOf(info.pid)) === postgresDir))
    ) {
      leftovers.set(info.pid, { pid: info.pid, what: 'postgres', signal: 'SIGINT', server: true });
    } else if (inDeadGroup) {
      // The api and the workers (or a migration that was running).
      leftovers.set(info.pid, { pid: info.pid, what: await commandOf(info), signal: 'SIGTERM', server: false });
    }
  }
  return [...leftovers.values()];
};

const stopWave = async (wave: ReadonlyArray<Leftover>, options: LeftoverOptions): Promise<void> => {
  const { log, graceMs = 35_000 } = options;
  for (const leftover of wave) {
    log.line(
      'devstack',
      `stopping ${leftover.what} (pid ${leftover.pid}), left running by a devstack that died`,
      'warn',
    );
    signal(leftover.pid, leftover.signal);
  }
  const deadline = Date.now() + graceMs;
  while (wave.some(({ pid }) => isAlive(pid)) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  for (const { pid, what } of wave) {
    if (!isAlive(pid)) continue;
    log.line('devstack', `${what} (pid ${pid}) did not stop within ${graceMs / 1000} s — killing it`, 'warn');
    signal(pid, 'SIGKILL');
  }
};

/**
 * Stops the leftovers of an earlier devstack: the api and workers first (SIGTERM: they flush
 * and commit), then Redis and PostgreSQL. Resolves at once when there are none.
 *
 * @example
 * await stopLeftovers({ redisDir, postgresDir, deadOwner: lock.previousOwner, log });
 */
export const stopLeftovers = async (options: LeftoverOptions): Promise<void> => {
  const leftovers = await find(options);
  await stopWave(
    leftovers.filter((leftover) => !leftover.server),
    options,
  );
  await stopWave(
    leftovers.filter((leftover) => leftover.server),
    options,
  );
};
