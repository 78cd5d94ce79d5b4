import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** A new empty folder for one spec's files; the spec removes it. */
export const makeTempRoot = (): Promise<string> => mkdtemp(join(tmpdir(), 'sluice-image-test-'));

/** Writes each file (root-relative, slash-separated path → contents) under `root`. */
export const writeTree = async (root: string, files: Readonly<Record<string, string>>): Promise<void> => {
  for (const [path, contents] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), contents);
  }
};

/** A package.json for a workspace fixture. */
export const manifest = (name: string, exportsField: unknown): string =>
  JSON.stringify({ name, type: 'module', exports: exportsField });
