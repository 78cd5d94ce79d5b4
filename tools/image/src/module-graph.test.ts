import { rm } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { reachableModules, type WorkspaceLocation } from './module-graph.js';
import { makeTempRoot, manifest, writeTree } from './test-tree.js';

const WORKSPACES: ReadonlyArray<WorkspaceLocation> = [
  { name: '@sluice/api', dir: 'apps/api' },
  { name: '@sluice/config', dir: 'packages/config' },
];

/** Two workspaces as tsc leaves them: declarations, maps, and modules no entry point loads. */
const REPO = {
  'apps/api/package.json': manifest('@sluice/api', { '.': { types: './dist/index.d.ts', default: './dist/index.js' } }),
  'apps/api/dist/index.js': "export * from './app.js';\n",
  'apps/api/dist/main.js': "import { createApp } from './app.js';\ncreateApp();\n",
  'apps/api/dist/main.d.ts': 'export {};\n',
  'apps/api/dist/main.js.map': '{}',
  'apps/api/dist/app.js': [
    "import express from 'express';",
    "import { readFile } from 'node:fs/promises';",
    "import { loadConfig } from '@sluice/config';",
    "import { runProcess } from '@sluice/config/process';",
    "import './routes/side-effect.js';",
    "export { problem } from './routes/problem.js';",
    "export * as routes from './routes/index.js';",
    "export const createApp = () => import('./lazy.js');",
  ].join('\n'),
  'apps/api/dist/routes/side-effect.js': "import { createApp } from '../app.js';\n",
  'apps/api/dist/routes/problem.js': 'export const problem = 1;\n',
  'apps/api/dist/routes/index.js': 'export const all = [];\n',
  'apps/api/dist/lazy.js': 'export default 1;\n',
  'packages/config/package.json': manifest('@sluice/config', {
    '.': { types: './dist/index.d.ts', import: './dist/index.js' },
    './process': './dist/process.js',
  }),
  'packages/config/dist/index.js': "export * from './config.js';\n",
  'packages/config/dist/config.js': 'export const loadConfig = () => ({});\n',
  'packages/config/dist/process.js': 'export const runProcess = () => {};\n',
  'packages/config/dist/dashboard.js': 'export const dashboard = {};\n',
};

describe('reachableModules', () => {
  let root: string;
  beforeEach(async () => {
    root = await makeTempRoot();
    await writeTree(root, REPO);
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  const reach = (entries: ReadonlyArray<string>, workspaces = WORKSPACES) =>
    reachableModules({ root, workspaces, entries });

  it('follows imports, re-exports, side-effect and literal dynamic imports into workspaces, not npm packages', async () => {
    expect(await reach(['apps/api/dist/main.js'])).toEqual([
      'apps/api/dist/app.js',
      'apps/api/dist/lazy.js',
      'apps/api/dist/main.js',
      'apps/api/dist/routes/index.js',
      'apps/api/dist/routes/problem.js',
      'apps/api/dist/routes/side-effect.js',
      'packages/config/dist/config.js',
      'packages/config/dist/index.js',
      'packages/config/dist/process.js',
    ]);
  });

  it('leaves out declarations, source maps and modules nothing imports', async () => {
    const modules = await reach(['apps/api/dist/main.js']);
    expect(modules).not.toContain('apps/api/dist/main.d.ts');
    expect(modules).not.toContain('apps/api/dist/main.js.map');
    expect(modules).not.toContain('apps/api/dist/index.js');
    expect(modules).not.toContain('packages/config/dist/dashboard.js');
  });

  it('merges what several entry points reach', async () => {
    expect(await reach(['packages/config/dist/dashboard.js', 'apps/api/dist/routes/problem.js'])).toEqual([
      'apps/api/dist/routes/problem.js',
      'packages/config/dist/dashboard.js',
    ]);
  });

  it('ignores imports written in comments, strings and template literals', async () => {
    await writeTree(root, {
      'apps/api/dist/main.js': [
        "// import './commented.js';",
        "/* export * from './block-commented.js'; */",
        'const text = "import \'./in-string.js\'";',
        "const template = `import('./in-template.js')`;",
        'const computed = (name) => import(name);',
      ].join('\n'),
    });
    expect(await reach(['apps/api/dist/main.js'])).toEqual(['apps/api/dist/main.js']);
  });

  it('takes a string exports field, or one of conditions only, as the package root', async () => {
    await writeTree(root, {
      'apps/api/dist/main.js': "import '@sluice/config';\n",
      'packages/config/package.json': manifest('@sluice/config', './dist/config.js'),
    });
    expect(await reach(['apps/api/dist/main.js'])).toContain('packages/config/dist/config.js');
    await writeTree(root, {
      'packages/config/package.json': manifest('@sluice/config', {
        types: './dist/index.d.ts',
        default: './dist/process.js',
      }),
    });
    expect(await reach(['apps/api/dist/main.js'])).toContain('packages/config/dist/process.js');
  });

  it('throws, naming the importer and the specifier, when a relative import does not exist', async () => {
    await writeTree(root, { 'apps/api/dist/main.js': "import './missing.js';\n" });
    await expect(reach(['apps/api/dist/main.js'])).rejects.toThrow(
      "apps/api/dist/main.js imports './missing.js': it resolves to apps/api/dist/missing.js, which does not exist",
    );
  });

  it('throws when a module imports a workspace of the same scope that is not listed', async () => {
    await writeTree(root, { 'apps/api/dist/main.js': "import { createClient } from '@sluice/client';\n" });
    await expect(reach(['apps/api/dist/main.js'])).rejects.toThrow(
      "apps/api/dist/main.js imports '@sluice/client', but @sluice/client is not a runtime workspace",
    );
  });

  it('throws when a workspace does not export the subpath, or its target is not built', async () => {
    await writeTree(root, { 'apps/api/dist/main.js': "import '@sluice/config/internal';\n" });
    await expect(reach(['apps/api/dist/main.js'])).rejects.toThrow(
      "@sluice/config's package.json exports no './internal'",
    );
    await rm(`${root}/packages/config/dist/process.js`);
    await writeTree(root, { 'apps/api/dist/main.js': "import '@sluice/config/process';\n" });
    await expect(reach(['apps/api/dist/main.js'])).rejects.toThrow(
      "apps/api/dist/main.js imports '@sluice/config/process': @sluice/config exports packages/config/dist/process.js, which does not exist",
    );
  });

  it('throws when an entry point does not exist', async () => {
    await expect(reach(['apps/worker/dist/main.js'])).rejects.toThrow(
      'the entry point apps/worker/dist/main.js does not exist',
    );
  });
});
