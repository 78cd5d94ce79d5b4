/** One entry of a package-lock.json (v2/v3) `packages` map: what the closure reads. */
export interface LockfilePackage {
  readonly version?: string;
  /** For a `link: true` entry, the folder it links to (a workspace, relative to the root). */
  readonly resolved?: string;
  readonly link?: boolean;
  readonly dependencies?: Readonly<Record<string, string>>;
  readonly optionalDependencies?: Readonly<Record<string, string>>;
  /** Never followed: the image installs with `--omit=dev`. */
  readonly devDependencies?: Readonly<Record<string, string>>;
  readonly peerDependencies?: Readonly<Record<string, string>>;
  readonly peerDependenciesMeta?: Readonly<Record<string, { readonly optional?: boolean }>>;
}

/** A parsed package-lock.json: `packages` is keyed by `""`, `apps/api`, `node_modules/x`, … */
export interface Lockfile {
  readonly packages: Readonly<Record<string, LockfilePackage>>;
}

/** What a package or workspace can load, by name; `false` when it runs without it. */
const requirements = (entry: LockfilePackage): ReadonlyMap<string, boolean> => {
  const required = new Map<string, boolean>();
  for (const name of Object.keys(entry.dependencies ?? {})) required.set(name, true);
  // An optional peer (valibot's on typescript) is the user's choice to install; a required one npm
  // installs next to the package, and the package imports it.
  for (const name of Object.keys(entry.peerDependencies ?? {})) {
    if (entry.peerDependenciesMeta?.[name]?.optional !== true) required.set(name, true);
  }
  // Optional wins over required, as in npm: a platform binary listed in both may be absent.
  for (const name of Object.keys(entry.optionalDependencies ?? {})) required.set(name, false);
  return required;
};

/**
 * The lockfile key Node finds `name` at from a package (or workspace) at `from`: the nearest
 * `node_modules/<name>` in `from` or a folder above it, as Node's resolution walks up the folders.
 */
const locate = (packages: Lockfile['packages'], from: string, name: string): string | undefined => {
  const parts = from === '' ? [] : from.split('/');
  for (let depth = parts.length; depth >= 0; depth -= 1) {
    const dir = parts.slice(0, depth);
    if (dir.at(-1) === 'node_modules') continue;
    const key = [...dir, 'node_modules', name].join('/');
    if (packages[key] !== undefined) return key;
  }
  return undefined;
};

/**
 * The lockfile keys (`node_modules/…`) of every package production code of the workspaces at
 * `workspaceDirs` can load: their `dependencies` and `optionalDependencies` (never
 * `devDependencies`) and, transitively, those packages' dependencies, optional dependencies and
 * required peers, each found where Node would find it. A link to a workspace (`node_modules/@sluice/x`)
 * is in the set, and that workspace's dependencies are followed from its own folder; so are the
 * links to the listed workspaces themselves.
 *
 * An optional dependency the lockfile does not hold (another platform's binary) is skipped.
 *
 * @throws {Error} when a workspace is not in the lockfile, or a required dependency is nowhere
 * Node would look for it.
 *
 * @example
 * const lockfile = JSON.parse(await readFile('package-lock.json', 'utf8')) as Lockfile;
 * runtimePackages(lockfile, ['apps/api', 'packages/store']).has('node_modules/pg'); // true
 */
export const runtimePackages = (lockfile: Lockfile, workspaceDirs: ReadonlyArray<string>): ReadonlySet<string> => {
  const { packages } = lockfile;
  // npm links every workspace into node_modules, so a listed workspace's own link is installed
  // even when no other workspace depends on it (the api and the worker).
  const listed = new Set(workspaceDirs);
  const runtime = new Set(
    Object.entries(packages)
      .filter(([, entry]) => entry.link === true && entry.resolved !== undefined && listed.has(entry.resolved))
      .map(([key]) => key),
  );
  const visited = new Set<string>();
  const pending = [...workspaceDirs];
  for (let from = pending.pop(); from !== undefined; from = pending.pop()) {
    if (visited.has(from)) continue;
    visited.add(from);
    const entry = packages[from];
    if (entry === undefined) throw new Error(`package-lock.json has no entry for the workspace ${from}`);
    for (const [name, required] of requirements(entry)) {
      const key = locate(packages, from, name);
      if (key === undefined) {
        if (required) throw new Error(`${from || 'the root'} needs ${name}, which package-lock.json does not install`);
        continue;
      }
      runtime.add(key);
      const found = packages[key];
      // A link's own entry lists no dependencies: they are the linked workspace's, found from its folder.
      pending.push(found?.link === true && found.resolved !== undefined ? found.resolved : key);
    }
  }
  return runtime;
};
