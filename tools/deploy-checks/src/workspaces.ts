import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** An npm workspace of the repository, as its package.json declares it. */
export interface Workspace {
  readonly name: string;
  /** Relative to the repository root, slash-separated: `apps/api`. */
  readonly dir: string;
  readonly dependencies: Readonly<Record<string, string>>;
  readonly devDependencies: Readonly<Record<string, string>>;
}

interface Manifest {
  readonly name?: string;
  readonly workspaces?: ReadonlyArray<string>;
  readonly dependencies?: Record<string, string>;
  readonly devDependencies?: Record<string, string>;
}

const readManifest = async (path: string): Promise<Manifest> => JSON.parse(await readFile(path, 'utf8')) as Manifest;

/**
 * Every workspace the root package.json's `workspaces` patterns match. The repository only uses
 * `dir/*` patterns and plain folders, which is all this expands.
 */
export const readWorkspaces = async (root: string): Promise<ReadonlyArray<Workspace>> => {
  const patterns = (await readManifest(join(root, 'package.json'))).workspaces ?? [];
  const dirs: string[] = [];
  for (const pattern of patterns) {
    if (pattern.endsWith('/*')) {
      const parent = pattern.slice(0, -2);
      const entries = await readdir(join(root, parent), { withFileTypes: true });
      dirs.push(...entries.filter((entry) => entry.isDirectory()).map((entry) => `${parent}/${entry.name}`));
    } else {
      dirs.push(pattern);
    }
  }
  const workspaces = await Promise.all(
    dirs.sort().map(async (dir) => {
      const manifest = await readManifest(join(root, dir, 'package.json')).catch(() => undefined);
      return manifest?.name === undefined
        ? undefined
        : {
            name: manifest.name,
            dir,
            dependencies: manifest.dependencies ?? {},
            devDependencies: manifest.devDependencies ?? {},
          };
    }),
  );
  return workspaces.filter((workspace): workspace is Workspace => workspace !== undefined);
};

/**
 * The workspaces a process started from `entries` loads: those workspaces and, transitively, the
 * workspaces in their `dependencies` (never `devDependencies`). Sorted by folder.
 */
export const runtimeClosure = (
  workspaces: ReadonlyArray<Workspace>,
  entries: ReadonlyArray<string>,
): ReadonlyArray<Workspace> => {
  const byName = new Map(workspaces.map((workspace) => [workspace.name, workspace]));
  const seen = new Set<string>();
  const visit = (name: string): void => {
    const workspace = byName.get(name);
    if (workspace === undefined || seen.has(name)) return;
    seen.add(name);
    Object.keys(workspace.dependencies).forEach(visit);
  };
  entries.forEach(visit);
  return workspaces.filter((workspace) => seen.has(workspace.name)).sort((a, b) => a.dir.localeCompare(b.dir));
};
