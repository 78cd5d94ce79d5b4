import { readFile, rm, writeFile } from 'node:fs/promises';
import { DevstackError } from './devstack-error.js';

/** Held while this devstack owns the local services. */
export interface InstanceLock {
  /** The pid of a devstack that held the lock and died without releasing it. */
  readonly previousOwner?: number;
  release(): Promise<void>;
}

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * Whether `pid` is a devstack and not an unrelated process that reused a dead one's pid.
 * Where /proc is missing (macOS) a live pid is taken at its word.
 */
const isDevstack = async (pid: number): Promise<boolean> => {
  if (!isAlive(pid)) return false;
  try {
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8');
    return cmdline.includes('devstack');
  } catch {
    return process.platform !== 'linux';
  }
};

/**
 * Takes the lock file that says which devstack owns `.sluice/`. Two devstacks on the same data
 * would run two redis-servers over one AOF, which corrupts it; PostgreSQL would refuse anyway,
 * but with a less helpful message. A lock left by a devstack that died is taken over.
 *
 * @example
 * const lock = await acquireInstanceLock(paths.lockFile);
 * // … start the services …
 * await lock.release();
 */
export const acquireInstanceLock = async (file: string): Promise<InstanceLock> => {
  let previousOwner: number | undefined;
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      await writeFile(file, `${process.pid}\n`, { flag: 'wx' });
      return {
        ...(previousOwner === undefined ? {} : { previousOwner }),
        release: async () => {
          // Only remove the file while it is still ours.
          const owner = await readFile(file, 'utf8').catch(() => '');
          if (Number(owner.trim()) === process.pid) await rm(file, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = Number((await readFile(file, 'utf8').catch(() => '')).trim());
    if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && (await isDevstack(owner))) {
      throw new DevstackError(
        `Another \`npm start\` (pid ${owner}) is already running on this checkout's data (.sluice/). ` +
          'Stop it first, or point this one at other servers with REDIS_URL and DATABASE_URL.',
      );
    }
    if (Number.isInteger(owner) && owner > 0) previousOwner = owner;
    await rm(file, { force: true });
  }
  throw new DevstackError(`Could not take the lock file ${file}; another devstack keeps taking it.`);
};
