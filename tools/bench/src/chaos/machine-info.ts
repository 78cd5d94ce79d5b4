import { execFile } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { cpus, totalmem } from 'node:os';
import { promisify } from 'node:util';
import { sql, type Kysely } from 'kysely';
import type { Database } from '@sluice/store';
import type { Redis } from 'ioredis';

const run = promisify(execFile);

export interface MachineInfo {
  readonly cores: number;
  readonly cpuModel: string;
  readonly memoryMb: number;
  readonly node: string;
  readonly redis: string;
  readonly postgres: string;
  /** The code under test: the commit, and source paths changed since it (others may be editing). */
  readonly commit: string;
  readonly uncommitted: ReadonlyArray<string>;
  /** When the api's and the worker's `dist/main.js` were built (ISO time): the code that actually ran. */
  readonly builtAt: Readonly<Record<'api' | 'worker', string>>;
}

/**
 * When the api's and worker's entry points were last built. Compared before and after a run:
 * a rebuild in between means restarted workers ran other code than the first ones.
 */
export const readBuildTimes = async (root: string): Promise<Readonly<Record<'api' | 'worker', string>>> => {
  const builtAt = async (app: string): Promise<string> =>
    stat(join(root, 'apps', app, 'dist', 'main.js')).then(
      (info) => info.mtime.toISOString(),
      () => 'missing',
    );
  const [api, worker] = await Promise.all([builtAt('api'), builtAt('worker')]);
  return { api, worker };
};

/** The paths `git status --porcelain` names, without its status letters. */
const changedPaths = (porcelain: string): ReadonlyArray<string> =>
  porcelain
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => line.slice(3));

/**
 * What the figures were measured on: the machine, the server versions and the code.
 *
 * @example
 * const machine = await describeMachine({ root, redis: probe.redis, db: probe.db });
 */
export const describeMachine = async (deps: {
  readonly root: string;
  readonly redis: Pick<Redis, 'info'>;
  readonly db: Kysely<Database>;
}): Promise<MachineInfo> => {
  const info = await deps.redis.info('server');
  const redis = /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown';
  const postgres =
    (await sql<{ v: string }>`select current_setting('server_version') as v`.execute(deps.db)).rows[0]?.v ?? 'unknown';
  // Untrimmed: porcelain lines start with a status column that may be a space.
  const git = async (args: ReadonlyArray<string>): Promise<string> =>
    run('git', [...args], { cwd: deps.root }).then(
      (result) => result.stdout,
      () => '',
    );
  return {
    cores: cpus().length,
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    memoryMb: Math.round(totalmem() / 1_048_576),
    node: process.version,
    redis,
    postgres,
    commit: (await git(['rev-parse', '--short', 'HEAD'])).trim() || 'unknown',
    uncommitted: changedPaths(await git(['status', '--porcelain', '--', 'apps', 'packages'])),
    builtAt: await readBuildTimes(deps.root),
  };
};
