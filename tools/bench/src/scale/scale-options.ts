import { parseFlags } from '../parse-flags.js';
import { serviceEnv, wholeNumber } from '../flag-values.js';

/** Settings of one scaling run. */
export interface ScaleOptions {
  /** Worker processes of each round, in order (`--workers 1,2,4`). */
  readonly workerCounts: ReadonlyArray<number>;
  /** Tasks submitted in each round (`--tasks`). Default 50,000. */
  readonly tasks: number;
  /** Tasks per `POST /api/tasks/batch` of the load generator (`--per-request`). Default 5,000. */
  readonly perRequest: number;
  /** Requests sent at once (`--in-flight`). Default 4: one request at a time leaves the api waiting on Redis. */
  readonly inFlight: number;
  /** Longest wait for a round's last commit, in ms (`--drain-timeout`, seconds). Default 300 s. */
  readonly drainTimeoutMs: number;
  /** Where the JSON result goes (`--json`). Default `bench/results-scale.json` at the repository root. */
  readonly jsonPath: string;
  /** Settings of the api and the workers on top of the run's defaults (`--env NAME=value`, repeatable). */
  readonly serviceEnv: Readonly<Record<string, string>>;
  /** Print {@link SCALE_USAGE} and do nothing else (`--help`). */
  readonly help: boolean;
}

export const SCALE_USAGE = `npm run scale -- [options]

Runs an api and 1, 2, then 4 worker processes against one Redis and one PostgreSQL (started for
the run). Each round measures the same number of tasks twice: end to end (submitted while the
workers run, from the first submission to the last commit) and drain (submitted to a paused
queue, from the resume to the last commit). Prints committed tasks/s, the CPU each part of the
stack used, and what bound it.

  --workers 1,2,4      worker processes of each round
  --tasks 50000        tasks submitted per round (through POST /api/tasks/batch {"count": …})
  --per-request 5000   tasks per request
  --in-flight 4        requests sent at once
  --drain-timeout 300  seconds to wait for a round's last commit
  --env NAME=VALUE     a setting of the api and the workers, repeatable (e.g. BATCH_CONCURRENCY=8)
  --json PATH          where the JSON result goes (default bench/results-scale.json)
  --help               this text
`;

const SPEC = {
  workers: { type: 'string', default: '1,2,4' },
  tasks: { type: 'string', default: '50000' },
  'per-request': { type: 'string', default: '5000' },
  'in-flight': { type: 'string', default: '4' },
  'drain-timeout': { type: 'string', default: '300' },
  json: { type: 'string' },
  env: { type: 'string', multiple: true },
  help: { type: 'boolean', default: false },
} as const;

/**
 * Reads the scaling run's command line.
 *
 * @example
 * parseScaleArgs(['--workers', '1,2', '--tasks', '20000'], { defaultJsonPath: 'bench/results-scale.json' });
 */
export const parseScaleArgs = (
  argv: ReadonlyArray<string>,
  context: { readonly defaultJsonPath: string },
): ScaleOptions => {
  const values = parseFlags(argv, SPEC);
  const workerCounts = values.workers.split(',').map((part) => wholeNumber('workers', part, 1, 64));
  return {
    workerCounts,
    tasks: wholeNumber('tasks', values.tasks, 1, 1_000_000),
    perRequest: wholeNumber('per-request', values['per-request'], 1, 100_000),
    inFlight: wholeNumber('in-flight', values['in-flight'], 1, 64),
    drainTimeoutMs: wholeNumber('drain-timeout', values['drain-timeout'], 1, 3_600) * 1_000,
    jsonPath: values.json ?? context.defaultJsonPath,
    serviceEnv: serviceEnv(values.env),
    help: values.help,
  };
};
