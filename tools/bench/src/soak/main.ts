/**
 * `npm run soak`: the steady-load run from the command line. Wires the options and the output;
 * the run itself is `runSoak`, the signals and the JSON file are `runCommand`'s.
 *
 * Exit status: 0 pass, 1 something grew past its bound or failed, 2 the run could not be carried
 * out (or a flag could not be used), 130 interrupted.
 */
import { resolve } from 'node:path';
import { REPO_ROOT, runCommand } from '../command-shell.js';
import { formatSoakReport } from './format-soak.js';
import { runSoak } from './run-soak.js';
import { parseSoakArgs, SOAK_USAGE } from './soak-options.js';
import { exitCodeOf } from './soak-result.js';

void runCommand({
  name: 'soak run',
  usage: SOAK_USAGE,
  parse: (argv) =>
    parseSoakArgs(argv, {
      defaultJsonPath: resolve(REPO_ROOT, 'bench', 'results-soak.json'),
      env: { PARTITION_INTERVAL: process.env.PARTITION_INTERVAL, TASK_RETENTION: process.env.TASK_RETENTION },
    }),
  stopping: 'stopping the load, then every process this run started',
  run: (options, control) => runSoak(options, { log: (line) => console.log(line), root: REPO_ROOT, ...control }),
  report: (result, jsonPath) => console.log(formatSoakReport(result, { jsonPath })),
  exitCode: exitCodeOf,
  crashExitCode: 2,
});
