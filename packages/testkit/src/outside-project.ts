import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** A user's own project in a temporary folder outside the repository. */
export interface OutsideProject {
  readonly dir: string;
  /** The absolute path of `name` inside the project. */
  path(name: string): string;
  /** Writes `text` to `name` inside the project (folders made as needed); resolves to its path. */
  write(name: string, text: string): Promise<string>;
  remove(): Promise<void>;
}

/** The folder of package `name` as `from` resolves it: the folder whose package.json has that name. */
const packageDir = (name: string, from: string): string => {
  let dir = dirname(createRequire(from).resolve(name));
  for (;;) {
    try {
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: unknown };
      if (manifest.name === name) return dir;
    } catch {
      // No package.json here: keep walking up.
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no package.json named ${name} above ${createRequire(from).resolve(name)}`);
    dir = parent;
  }
};

/**
 * Makes a project folder under the system's temporary folder, far from the repository's
 * `node_modules`, with `files` written into it and each of `packages` linked into its own
 * `node_modules` as `from` (the caller's `import.meta.url`) resolves it: as an installed package,
 * or the workspace one under `npm link`. A module there resolves its imports as a user's module does.
 *
 * @example
 * const project = await createOutsideProject({ packages: ['@sluice/tasks', 'zod'], from: import.meta.url });
 * const tasks = await project.write('tasks.mjs', "import { defineTaskType } from '@sluice/tasks'; …");
 * await project.remove();
 */
export const createOutsideProject = async (options: {
  readonly packages: ReadonlyArray<string>;
  readonly from: string;
  readonly files?: Readonly<Record<string, string>>;
}): Promise<OutsideProject> => {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-project-'));
  const path = (name: string): string => join(dir, name);
  const write = async (name: string, text: string): Promise<string> => {
    await mkdir(dirname(path(name)), { recursive: true });
    await writeFile(path(name), text);
    return path(name);
  };
  for (const name of options.packages) {
    const link = path(join('node_modules', name));
    await mkdir(dirname(link), { recursive: true });
    await symlink(packageDir(name, options.from), link, 'dir');
  }
  for (const [name, text] of Object.entries(options.files ?? {})) await write(name, text);
  return { dir, path, write, remove: () => rm(dir, { recursive: true, force: true }) };
};
