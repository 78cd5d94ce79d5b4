/**
 * `npm run chaos`: the chaos run from the command line. Wires the options, the signals and the
 * output; the run itself is `runChaos`.
 *
 * Exit status: 0 pass, 1 a task was lost, duplicated or unexpected, 2 the run did not do what it
 * set out to (or could not be carried out), 130 interrupted.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OptionError } from '../option-error.js';
import { CHAOS_USAGE, type ChaosOptions, parseChaosArgs } from './chaos-options.js';
import { exitCodeOf } from './chaos-result.js';
import { formatChaosReport } from './format-report.js';
import { runChaos } from './run-chaos.js';

/** `dist/chaos/` sits four levels below the repository root (tools/bench/dist/chaos). */
const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..', '..', '..');

/** Aborted by the first Ctrl-C (or SIGTERM, SIGHUP). */
const interrupted = new AbortController();

const main = async (): Promise<number> => {
  let options: ChaosOptions;
  try {
    options = parseChaosArgs(process.argv.slice(2), {
      randomSeed: Math.floor(Math.random() * 2 ** 31),
      defaultJsonPath: resolve(ROOT, 'bench', 'results-chaos.json'),
    });
  } catch (error) {
    if (error instanceof OptionError) {
      console.error(error.message);
      return 2;
    }
    throw error;
  }
  if (options.help) {
    process.stdout.write(CHAOS_USAGE);
    return 0;
  }

  const controller = interrupted;
  let killNow: (() => void) | undefined;
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    signals += 1;
    if (signals === 1) {
      console.error(
        `\n${signal}: stopping the load and the faults, then every process this run started (again to kill at once)`,
      );
      controller.abort();
      return;
    }
    console.error(`${signal} again: killing every process this run started`);
    killNow?.();
    process.exit(130);
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, onSignal);
  // Whatever way this process ends, nothing it started may outlive it.
  process.on('exit', () => killNow?.());

  const result = await runChaos(options, {
    out: process.stdout,
    root: ROOT,
    signal: controller.signal,
    onKillSwitch: (kill) => {
      killNow = kill;
    },
  });
  await mkdir(dirname(options.jsonPath), { recursive: true });
  await writeFile(options.jsonPath, `${JSON.stringify(result, null, 2)}\n`);
  const shown = relative(process.cwd(), options.jsonPath);
  const jsonPath = shown === '' || shown.startsWith('..') || isAbsolute(shown) ? options.jsonPath : shown;
  console.log(formatChaosReport(result, { maxOffenders: 20, jsonPath }));
  return exitCodeOf(result.verdict);
};

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (interrupted.signal.aborted) {
      console.error(
        `interrupted; every process this run started is stopped. ${error instanceof Error ? error.message : ''}`,
      );
      process.exitCode = 130;
      return;
    }
    console.error(`chaos run failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exitCode = 2;
  },
);
