import { stat } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * Whether a user other than the owner may pass through every folder above `path`: as root the
 * testkit runs PostgreSQL as the `postgres` user, which needs that for its binaries and its data.
 * Only the others' execute bit counts, so a folder reachable through a group or an ACL alone
 * reads as unreachable — the cautious answer. A folder that does not exist yet counts as
 * reachable: the caller creates it 0755.
 *
 * @example
 * await othersCanReach('/root/sluice/.sluice/postgres'); // false: /root is 0700
 */
export const othersCanReach = async (path: string): Promise<boolean> => {
  for (let dir = dirname(path); ; dir = dirname(dir)) {
    const mode = await stat(dir).then(
      (info) => info.mode,
      () => undefined,
    );
    if (mode !== undefined && (mode & 0o001) === 0) return false;
    if (dirname(dir) === dir) return true;
  }
};
