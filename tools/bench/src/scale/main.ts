/**
 * `npm run scale`: the scaling run from the command line. Exit status: 0 every round committed
 * every task once, 1 a round did not, 2 the run could not be carried out, 130 interrupted.
 */
import { resolve } from 'node:path';
import { REPO_ROOT, runCommand } from '../command-shell.js';
import { formatScaleReport } from './format-scale.js';
import { runScale } from './run-scale.js';
import { parseScaleArgs, SCALE_USAGE } from './scale-options.js';

void runCommand({
  name: 'scale run',
  usage: SCALE_USAGE,
  parse: (argv) => parseScaleArgs(argv, { defaultJsonPath: resolve(REPO_ROOT, 'bench', 'results-scale.json') }),
  stopping: 'stopping after the current step',
  run: (options, control) => runScale(options, { root: REPO_ROOT, log: (line) => console.log(line), ...control }),
  report: (result, jsonPath) => console.log(formatScaleReport(result, { jsonPath })),
  exitCode: (result) => (result.rounds.every((round) => round.ok) ? 0 : 1),
  crashExitCode: 2,
});
