import { createHash } from 'node:crypto';
import { chmod, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { othersCanReach } from '@sluice/testkit/servers';
import type { DevstackPaths } from './paths.js';

/** Where the local services keep their data this run. */
export interface DataDirs {
  readonly redisDir: string;
  readonly postgresDir: string;
}

const isRoot = (): boolean => process.getuid?.() === 0;

/**
 * Creates `.sluice/` and decides where PostgreSQL's data goes.
 *
 * PostgreSQL refuses to run as root, so as root (CI, containers) the testkit runs it as the
 * `postgres` user, which must be able to reach its data folder. A checkout under a private home
 * (`/root` is 0700) is out of its reach; the data then goes to `/var/tmp/sluice-<hash of the
 * checkout path>/postgres` instead: still kept across runs and reboots, and still one per checkout.
 */
export const prepareDataDirs = async (paths: DevstackPaths): Promise<DataDirs> => {
  await mkdir(paths.dataDir, { recursive: true });
  if (!isRoot()) return { redisDir: paths.redisDir, postgresDir: paths.postgresDir };

  // The umask may have left it 0700; the postgres user needs to pass through it.
  await chmod(paths.dataDir, 0o755);
  if (await othersCanReach(paths.postgresDir)) {
    return { redisDir: paths.redisDir, postgresDir: paths.postgresDir };
  }
  const tag = createHash('sha256').update(paths.root).digest('hex').slice(0, 8);
  const outside = join('/var/tmp', `sluice-${tag}`);
  await mkdir(outside, { recursive: true });
  await chmod(outside, 0o755);
  return { redisDir: paths.redisDir, postgresDir: join(outside, 'postgres') };
};
