#!/usr/bin/env node
// `node tools/image/dist/bin/prune-dist.js [root]`: deploy/Dockerfile's build stage runs this after
// compiling, so the runtime stage copies only the modules its three entry points load.
import { access } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { applyDistPrune, describePrune, planDistPrune } from '../dist-prune.js';
import { ENTRY_POINTS, RUNTIME_WORKSPACES } from '../runtime-layout.js';

const exists = (path: string): Promise<boolean> =>
  access(path).then(
    () => true,
    () => false,
  );

const main = async (args: ReadonlyArray<string>): Promise<number> => {
  if (args.length > 1) {
    console.error('usage: prune-dist [root]   (root: where apps/ and packages/ are; default: the current folder)');
    return 1;
  }
  const root = resolve(args[0] ?? process.cwd());
  const missing: string[] = [];
  for (const entry of ENTRY_POINTS) if (!(await exists(join(root, entry)))) missing.push(entry);
  if (missing.length > 0) {
    // An unbuilt tree, as a rule: say how to build it rather than which import failed to resolve.
    console.error(
      `prune-dist: ${missing.join(', ')} missing under ${root}; build first: ` +
        'npx turbo run build --filter=@sluice/api --filter=@sluice/worker --filter=@sluice/store',
    );
    return 1;
  }
  const options = { root, workspaces: RUNTIME_WORKSPACES, entries: ENTRY_POINTS };
  try {
    const plan = await planDistPrune(options);
    await applyDistPrune(options, plan);
    console.log(`prune-dist: ${describePrune(plan)}`);
    return 0;
  } catch (error) {
    console.error(`prune-dist: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
};

process.exitCode = await main(process.argv.slice(2));
