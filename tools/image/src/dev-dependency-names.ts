/** The parts of an npm v3 lockfile that name the repository's own manifests' devDependencies. */
interface LockfileManifests {
  readonly packages: Readonly<Record<string, { readonly devDependencies?: Readonly<Record<string, string>> }>>;
}

/**
 * Every name the root manifest or a workspace's lists under devDependencies, from the lockfile,
 * which records each manifest under its folder (`""`, `apps/api`, …).
 *
 * @example
 * devDependencyNames(lockfile).has('vitest'); // true
 */
export const devDependencyNames = (lockfile: LockfileManifests): ReadonlySet<string> =>
  new Set(
    Object.entries(lockfile.packages)
      .filter(([key]) => !key.includes('node_modules/'))
      .flatMap(([, manifest]) => Object.keys(manifest.devDependencies ?? {})),
  );
