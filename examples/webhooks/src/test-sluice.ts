import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type NodeProcess, startNodeProcess } from '@sluice/testkit';

/** This example's folder: the processes run from it, as `npm run worker` would. */
export const EXAMPLE_DIR = fileURLToPath(new URL('../', import.meta.url));

/**
 * The script npm links as the `sluice` command, found through the installed package's own
 * `bin` field rather than a path into it.
 */
const sluiceBin = async (): Promise<string> => {
  let dir = dirname(createRequire(import.meta.url).resolve('sluice'));
  for (;;) {
    const manifest = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8').catch(() => '{}')) as {
      name?: string;
      bin?: Record<string, string>;
    };
    const bin = manifest.name === 'sluice' ? manifest.bin?.sluice : undefined;
    if (bin !== undefined) return join(dir, bin);
    if (dirname(dir) === dir) throw new Error('the sluice package has no package.json with a `sluice` bin');
    dir = dirname(dir);
  }
};

/** `sluice <args>` from the example's folder, with `env` over the test's environment. */
export const sluice = async (
  args: ReadonlyArray<string>,
  env: Readonly<Record<string, string>>,
): Promise<NodeProcess> => startNodeProcess(await sluiceBin(), env, { args, cwd: EXAMPLE_DIR });

/** `node <script>` of this example's build (`dist/…`), from its folder. */
export const example = (script: string, env: Readonly<Record<string, string>>): NodeProcess =>
  startNodeProcess(join(EXAMPLE_DIR, script), env, { cwd: EXAMPLE_DIR });

/** Waits for a command that ends; resolves to its exit code and everything it printed. */
export const finished = async (child: NodeProcess): Promise<{ code: number | null; output: string }> => {
  const { code } = await child.exited;
  return { code, output: child.output() };
};
