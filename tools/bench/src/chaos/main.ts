/**
 * `npm run chaos`: the chaos run from the command line. Wires the options and the output; the
 * run itself is `runChaos`, the signals and the JSON file are `runCommand`'s.
 *
 * Exit status: 0 pass, 1 a task was lost, duplicated or unexpected, 2 the run did not do what it
 * set out to (or could not be carried out), 130 interrupted.
 */
import { resolve } from 'node:path';
import { REPO_ROOT, runCommand } from '../command-shell.js';
import { CHAOS_USAGE, parseChaosArgs } from './chaos-options.js';
import { exitCodeOf } from './chaos-result.js';
import { formatChaosReport } from './format-report.js';
import { runChaos } from './run-chaos.js';

void runCommand({
  name: 'chaos run',
  usage: CHAOS_USAGE,
  parse: (argv) =>
    parseChaosArgs(argv, {
      randomSeed: Math.floor(Math.random() * 2 ** 31),
      defaultJsonPath: resolve(REPO_ROOT, 'bench', 'results-chaos.json'),
    }),
  stopping: 'stopping the load and the faults, then every process this run started',
  run: (options, control) => runChaos(options, { out: process.stdout, root: REPO_ROOT, ...control }),
  report: (result, jsonPath) => console.log(formatChaosReport(result, { maxOffenders: 20, jsonPath })),
  exitCode: (result) => exitCodeOf(result.verdict),
  crashExitCode: 2,
});
