import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ENTRY_POINTS, RUNTIME_WORKSPACES } from './runtime-layout.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

describe('the runtime layout', () => {
  it('names each runtime workspace as its package.json does', async () => {
    for (const { name, dir } of RUNTIME_WORKSPACES) {
      const manifest = JSON.parse(await readFile(`${repoRoot}${dir}/package.json`, 'utf8')) as { name?: string };
      expect(manifest.name, dir).toBe(name);
    }
  });

  it("puts every entry point in a runtime workspace's dist/", () => {
    for (const entry of ENTRY_POINTS) {
      expect(
        RUNTIME_WORKSPACES.some(({ dir }) => entry.startsWith(`${dir}/dist/`)),
        entry,
      ).toBe(true);
    }
  });
});
