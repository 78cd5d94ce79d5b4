import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyDistPrune, describePrune, planDistPrune } from './dist-prune.js';
import type { ModuleGraphOptions } from './module-graph.js';
import { makeTempRoot, manifest, writeTree } from './test-tree.js';

/** Two workspaces as tsc leaves them, next to a source folder the prune must not touch. */
const REPO = {
  'apps/worker/package.json': manifest('@sluice/worker', { '.': './dist/index.js' }),
  'apps/worker/src/main.ts': "import '@sluice/telemetry';\n",
  'apps/worker/dist/main.js': "import { createLogger } from '@sluice/telemetry';\n",
  'apps/worker/dist/main.d.ts': 'export {};\n',
  'apps/worker/dist/main.js.map': '{"version":3}',
  'apps/worker/dist/index.js': "export * from './main.js';\n",
  'packages/telemetry/package.json': manifest('@sluice/telemetry', {
    '.': { types: './dist/index.d.ts', default: './dist/index.js' },
    './dashboard': './dist/dashboard/index.js',
  }),
  'packages/telemetry/dist/index.js': "export * from './logger.js';\n",
  'packages/telemetry/dist/index.d.ts': 'export {};\n',
  'packages/telemetry/dist/logger.js': 'export const createLogger = () => console;\n',
  'packages/telemetry/dist/dashboard/index.js': "export * from './panels/grafana.js';\n",
  'packages/telemetry/dist/dashboard/panels/grafana.js': 'export const panels = [];\n',
  'packages/telemetry/dist/bin/write-dashboard.js': "import '../dashboard/index.js';\n",
};

describe('pruning dist/', () => {
  let root: string;
  let options: ModuleGraphOptions;
  beforeEach(async () => {
    root = await makeTempRoot();
    await writeTree(root, REPO);
    options = {
      root,
      workspaces: [
        { name: '@sluice/worker', dir: 'apps/worker' },
        { name: '@sluice/telemetry', dir: 'packages/telemetry' },
      ],
      entries: ['apps/worker/dist/main.js'],
    };
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  it('keeps the modules the entry points reach and removes every other file in dist/', async () => {
    const plan = await planDistPrune(options);
    expect(plan.keep.map(({ path }) => path)).toEqual([
      'apps/worker/dist/main.js',
      'packages/telemetry/dist/index.js',
      'packages/telemetry/dist/logger.js',
    ]);
    expect(plan.remove.map(({ path }) => path)).toEqual([
      'apps/worker/dist/index.js',
      'apps/worker/dist/main.d.ts',
      'apps/worker/dist/main.js.map',
      'packages/telemetry/dist/bin/write-dashboard.js',
      'packages/telemetry/dist/dashboard/index.js',
      'packages/telemetry/dist/dashboard/panels/grafana.js',
      'packages/telemetry/dist/index.d.ts',
    ]);
  });

  it('changes nothing while planning', async () => {
    await planDistPrune(options);
    expect(await readdir(join(root, 'apps/worker/dist'))).toHaveLength(4);
  });

  it('deletes the removed files and the folders they leave empty, outside dist/ nothing', async () => {
    await applyDistPrune(options, await planDistPrune(options));
    expect(await readdir(join(root, 'apps/worker/dist'))).toEqual(['main.js']);
    expect((await readdir(join(root, 'packages/telemetry/dist'))).sort()).toEqual(['index.js', 'logger.js']);
    expect(await readdir(join(root, 'apps/worker/src'))).toEqual(['main.ts']);
    expect((await readdir(join(root, 'apps/worker'))).sort()).toEqual(['dist', 'package.json', 'src']);
  });

  it('keeps a dist/ folder that nothing is left in, for the Dockerfile to copy', async () => {
    const plan = await planDistPrune({ ...options, entries: ['packages/telemetry/dist/logger.js'] });
    await applyDistPrune(options, plan);
    expect(await readdir(join(root, 'apps/worker/dist'))).toEqual([]);
  });

  it('refuses to plan when the entry point is not built', async () => {
    await rm(join(root, 'apps/worker/dist/main.js'));
    await expect(planDistPrune(options)).rejects.toThrow('the entry point apps/worker/dist/main.js does not exist');
  });

  it('sums what it kept and removed in one line', () => {
    const plan = {
      keep: [{ path: 'apps/api/dist/main.js', bytes: 803_460 }],
      remove: [
        { path: 'apps/api/dist/main.d.ts', bytes: 1_000 },
        { path: 'apps/api/dist/main.js.map', bytes: 1_500 },
      ],
    };
    expect(describePrune(plan)).toBe('kept 1 modules (803.5 kB), removed 2 files (2.5 kB)');
  });
});
