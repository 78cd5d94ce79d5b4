import { readdir, rm, rmdir } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { walkFiles } from './image-files.js';
import { type ModuleGraphOptions, reachableModules } from './module-graph.js';

/** A file in a workspace's dist/, its path relative to the root. */
export interface DistFile {
  readonly path: string;
  readonly bytes: number;
}

export interface DistPrunePlan {
  /** The compiled modules the entry points load. */
  readonly keep: ReadonlyArray<DistFile>;
  /** Everything else in the workspaces' dist/: declarations, source maps, modules nothing loads. */
  readonly remove: ReadonlyArray<DistFile>;
}

const distOf = (dir: string): string => posix.join(dir, 'dist');

/**
 * Splits the files of every workspace's dist/ into the modules the entry points reach and the
 * rest. Reads the tree and changes nothing.
 *
 * @throws {Error} as {@link reachableModules} does: an entry point or an import that does not
 * resolve, or an import of a workspace that is not listed.
 *
 * @example
 * const plan = await planDistPrune({ root: '/app', workspaces: RUNTIME_WORKSPACES, entries: ENTRY_POINTS });
 * plan.remove.map(({ path }) => path); // ['apps/api/dist/app.d.ts', 'apps/api/dist/app.js.map', …]
 */
export const planDistPrune = async (options: ModuleGraphOptions): Promise<DistPrunePlan> => {
  const reachable = new Set(await reachableModules(options));
  const files = await Promise.all(
    options.workspaces.map(async ({ dir }) =>
      (await walkFiles(join(options.root, distOf(dir))))
        .filter((entry) => entry.kind !== 'dir')
        .map((entry) => ({ path: posix.join(distOf(dir), entry.path), bytes: entry.bytes })),
    ),
  );
  const sorted = files.flat().sort((a, b) => (a.path < b.path ? -1 : 1));
  return {
    keep: sorted.filter(({ path }) => reachable.has(path)),
    remove: sorted.filter(({ path }) => !reachable.has(path)),
  };
};

/**
 * Deletes the plan's `remove` files, then the folders in each dist/ left empty. The dist/ folder
 * itself stays, even empty: the Dockerfile copies every runtime workspace's dist/ by name.
 *
 * @example
 * await applyDistPrune(options, await planDistPrune(options));
 */
export const applyDistPrune = async (
  options: Pick<ModuleGraphOptions, 'root' | 'workspaces'>,
  plan: DistPrunePlan,
): Promise<void> => {
  for (const { path } of plan.remove) await rm(join(options.root, path));
  for (const { dir } of options.workspaces) {
    const dist = join(options.root, distOf(dir));
    // walkFiles lists a folder before what it holds, so reversed, a folder comes after its contents.
    const folders = (await walkFiles(dist)).filter((entry) => entry.kind === 'dir').reverse();
    for (const folder of folders) {
      if ((await readdir(join(dist, folder.path))).length === 0) await rmdir(join(dist, folder.path));
    }
  }
};

const kilobytes = (files: ReadonlyArray<DistFile>): string =>
  `${(files.reduce((sum, { bytes }) => sum + bytes, 0) / 1000).toFixed(1)} kB`;

/**
 * One line for the build log.
 *
 * @example
 * describePrune(plan); // 'kept 212 modules (803.5 kB), removed 1034 files (2391.0 kB)'
 */
export const describePrune = (plan: DistPrunePlan): string =>
  `kept ${plan.keep.length} modules (${kilobytes(plan.keep)}), removed ${plan.remove.length} files (${kilobytes(plan.remove)})`;
