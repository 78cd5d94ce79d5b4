import { readFile, stat } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { importSpecifiers } from './import-specifiers.js';

/** A workspace the modules may import by its package name. */
export interface WorkspaceLocation {
  /** The package name: `@sluice/store`. */
  readonly name: string;
  /** Relative to the root, slash-separated: `packages/store`. */
  readonly dir: string;
}

export interface ModuleGraphOptions {
  /** The folder `workspaces[].dir` and `entries` are relative to: the repository, or /app. */
  readonly root: string;
  /** The only workspaces the modules may import; their package.json `exports` say where to. */
  readonly workspaces: ReadonlyArray<WorkspaceLocation>;
  /** The modules a process starts from, relative to the root: `apps/api/dist/main.js`. */
  readonly entries: ReadonlyArray<string>;
}

/** Conditions Node matches when it imports an ES module; `types` is only for the compiler. */
const IMPORT_CONDITIONS: ReadonlySet<string> = new Set(['node', 'import', 'default']);

/** Files whose imports are followed. Anything else a module imports (JSON) is kept, not read. */
const SCRIPT_EXTENSIONS: ReadonlySet<string> = new Set(['.js', '.mjs', '.cjs']);

/** The first target of an `exports` entry that matches, in the object's key order as in Node. */
const conditionalTarget = (target: unknown): string | undefined => {
  if (typeof target === 'string') return target;
  if (target === null || typeof target !== 'object' || Array.isArray(target)) return undefined;
  for (const [condition, value] of Object.entries(target)) {
    const picked = IMPORT_CONDITIONS.has(condition) ? conditionalTarget(value) : undefined;
    if (picked !== undefined) return picked;
  }
  return undefined;
};

/**
 * The target of `subpath` (`.` or `./process`) in an `exports` field. A string or an object of
 * conditions alone is shorthand for `.`. Subpath patterns (`./*`) are not expanded: no workspace
 * uses them, and a specifier that needs one fails loudly rather than pruning a module it loads.
 */
const exportTarget = (exportsField: unknown, subpath: string): string | undefined => {
  const isSubpathMap =
    exportsField !== null &&
    typeof exportsField === 'object' &&
    !Array.isArray(exportsField) &&
    Object.keys(exportsField).some((key) => key.startsWith('.'));
  const subpaths: Readonly<Record<string, unknown>> = isSubpathMap
    ? (exportsField as Record<string, unknown>)
    : { '.': exportsField };
  return conditionalTarget(subpaths[subpath]);
};

const packageNameOf = (specifier: string): string =>
  specifier
    .split('/')
    .slice(0, specifier.startsWith('@') ? 2 : 1)
    .join('/');

const scopeOf = (name: string): string | undefined => (name.startsWith('@') ? name.split('/')[0] : undefined);

const isFile = (path: string): Promise<boolean> =>
  stat(path).then(
    (stats) => stats.isFile(),
    () => false,
  );

/**
 * Every module a process started from `entries` can load: the entries and, transitively, what
 * {@link importSpecifiers} finds in them (`import`, `export … from`, `import('…')` of a literal).
 * Relative specifiers are files; a listed workspace's name resolves through its package.json
 * `exports`; `node:` builtins and npm packages are not followed (node_modules is audited per
 * package). Returns root-relative, slash-separated paths, sorted.
 *
 * @throws {Error} naming the importing file and the specifier when an entry, a relative import or
 * a workspace's export target does not exist, a workspace does not export the subpath, or a
 * specifier names a workspace of the same scope that is not listed: that is how a workspace
 * missing from the runtime image shows up.
 *
 * @example
 * await reachableModules({
 *   root: '/app',
 *   workspaces: [{ name: '@sluice/store', dir: 'packages/store' }, { name: '@sluice/config', dir: 'packages/config' }],
 *   entries: ['packages/store/dist/bin/migrate.js'],
 * });
 * // ['packages/config/dist/config.js', 'packages/config/dist/index.js', …, 'packages/store/dist/bin/migrate.js', …]
 */
export const reachableModules = async (options: ModuleGraphOptions): Promise<ReadonlyArray<string>> => {
  const { root, workspaces } = options;
  const exportsByName = new Map(
    await Promise.all(
      workspaces.map(async ({ name, dir }) => {
        const manifest = JSON.parse(await readFile(join(root, dir, 'package.json'), 'utf8')) as { exports?: unknown };
        return [name, { dir, exports: manifest.exports }] as const;
      }),
    ),
  );
  const workspaceScopes = new Set(workspaces.map(({ name }) => scopeOf(name)).filter((scope) => scope !== undefined));

  const existing = async (path: string, importer: string, specifier: string, why: string): Promise<string> => {
    if (path.startsWith('../') || !(await isFile(join(root, path)))) {
      throw new Error(`${importer} imports '${specifier}': ${why} ${path}, which does not exist`);
    }
    return path;
  };

  /** The file `specifier` loads from `importer`, or undefined for one this graph does not follow. */
  const resolve = async (importer: string, specifier: string): Promise<string | undefined> => {
    if (specifier.startsWith('./') || specifier.startsWith('../')) {
      return existing(posix.join(posix.dirname(importer), specifier), importer, specifier, 'it resolves to');
    }
    if (specifier.startsWith('node:')) return undefined;
    if (
      specifier.startsWith('.') ||
      specifier.startsWith('/') ||
      specifier.startsWith('#') ||
      specifier.includes(':')
    ) {
      throw new Error(`${importer} imports '${specifier}', a kind of specifier the runtime image does not use`);
    }
    const name = packageNameOf(specifier);
    const workspace = exportsByName.get(name);
    if (workspace === undefined) {
      const scope = scopeOf(name);
      if (scope !== undefined && workspaceScopes.has(scope)) {
        const listed = [...exportsByName.keys()].join(', ');
        throw new Error(`${importer} imports '${specifier}', but ${name} is not a runtime workspace (${listed})`);
      }
      return undefined;
    }
    const subpath = `.${specifier.slice(name.length)}`;
    const target = exportTarget(workspace.exports, subpath);
    if (target === undefined) {
      throw new Error(`${importer} imports '${specifier}', but ${name}'s package.json exports no '${subpath}'`);
    }
    return existing(posix.join(workspace.dir, target), importer, specifier, `${name} exports`);
  };

  const found = new Set<string>();
  const pending: string[] = [];
  for (const entry of options.entries) {
    const path = posix.normalize(entry);
    if (!(await isFile(join(root, path)))) throw new Error(`the entry point ${path} does not exist under ${root}`);
    found.add(path);
    pending.push(path);
  }
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (!SCRIPT_EXTENSIONS.has(posix.extname(file))) continue;
    const source = await readFile(join(root, file), 'utf8');
    for (const specifier of importSpecifiers(source)) {
      const target = await resolve(file, specifier);
      if (target !== undefined && !found.has(target)) {
        found.add(target);
        pending.push(target);
      }
    }
  }
  return [...found].sort();
};
