import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: this module sits in tools/deploy-checks/src (or dist, once built). */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** A path inside the repository, from slash-separated parts relative to its root. */
export const repoPath = (...parts: ReadonlyArray<string>): string => join(REPO_ROOT, ...parts);
