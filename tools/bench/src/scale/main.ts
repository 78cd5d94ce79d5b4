/**
 * `npm run scale`: the scaling run from the command line. Exit status: 0 every round committed
 * every task once, 1 a round did not, 2 the run could not be carried out, 130 interrupted.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatScaleReport } from './format-scale.js';
import { runScale } from './run-scale.js';
import { OptionError } from '../option-error.js';
import { parseScaleArgs, SCALE_USAGE, type ScaleOptions } from './scale-options.js';

/** `dist/scale/` sits four levels below the repository root (tools/bench/dist/scale). */
const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..', '..', '..');

const main = async (): Promise<number> => {
  let options: ScaleOptions;
  try {
    options = parseScaleArgs(process.argv.slice(2), { defaultJsonPath: resolve(ROOT, 'bench', 'results-scale.json') });
  } catch (error) {
    if (error instanceof OptionError) {
      console.error(error.message);
      return 2;
    }
    throw error;
  }
  if (options.help) {
    process.stdout.write(SCALE_USAGE);
    return 0;
  }

  const interrupted = new AbortController();
  let killNow: (() => void) | undefined;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (!interrupted.signal.aborted) {
      console.error(`\n${signal}: stopping after the current step (again to kill everything at once)`);
      interrupted.abort();
      return;
    }
    killNow?.();
    process.exit(130);
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, onSignal);
  process.on('exit', () => killNow?.());

  const result = await runScale(options, {
    root: ROOT,
    log: (line) => console.log(line),
    signal: interrupted.signal,
    onKillSwitch: (kill) => {
      killNow = kill;
    },
  });
  await mkdir(dirname(options.jsonPath), { recursive: true });
  await writeFile(options.jsonPath, `${JSON.stringify(result, null, 2)}\n`);
  console.log(formatScaleReport(result, { jsonPath: relative(process.cwd(), options.jsonPath) || options.jsonPath }));
  return result.rounds.every((round) => round.ok) ? 0 : 1;
};

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error('scale run failed:', error instanceof Error ? error.message : error);
    process.exitCode = 2;
  },
);
