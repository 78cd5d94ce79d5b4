import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Every file and folder the devstack touches, resolved against the repository root. */
export interface DevstackPaths {
  readonly root: string;
  /** Everything the local services keep between runs (`.sluice/`, git-ignored). */
  readonly dataDir: string;
  readonly redisDir: string;
  readonly postgresDir: string;
  /** Holds the pid of the devstack that owns the local services, so two cannot share them. */
  readonly lockFile: string;
  readonly migrateEntry: string;
  readonly apiEntry: string;
  readonly workerEntry: string;
}

/** `dist/` sits in `tools/devstack/`, three levels below the repository root. */
const defaultRoot = (): string => resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..', '..');

/**
 * Resolves the devstack's paths; `root` defaults to the repository this file was built in.
 *
 * @example
 * const paths = devstackPaths();
 * paths.apiEntry; // <repo>/apps/api/dist/main.js
 */
export const devstackPaths = (root: string = defaultRoot()): DevstackPaths => {
  const dataDir = join(root, '.sluice');
  return {
    root,
    dataDir,
    redisDir: join(dataDir, 'redis'),
    postgresDir: join(dataDir, 'postgres'),
    lockFile: join(dataDir, 'devstack.pid'),
    migrateEntry: join(root, 'packages', 'store', 'dist', 'bin', 'migrate.js'),
    apiEntry: join(root, 'apps', 'api', 'dist', 'main.js'),
    workerEntry: join(root, 'apps', 'worker', 'dist', 'main.js'),
  };
};
