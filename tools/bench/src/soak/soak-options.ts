import { ConfigError, loadConfig } from '@sluice/config';
import { OptionError } from '../option-error.js';
import { parseFlags } from '../parse-flags.js';
import { number, seconds, serviceEnv, wholeNumber } from '../flag-values.js';

/** How the services cut and keep the tables' partitions, in seconds. */
export interface PartitionSettings {
  /** `PARTITION_INTERVAL`. */
  readonly intervalSeconds: number;
  /** `TASK_RETENTION`. */
  readonly retentionSeconds: number;
}

/**
 * Settings of one soak run. Times are minutes on the command line, as a soak is long; the
 * drain's time-out is seconds, as in the other runs.
 */
export interface SoakOptions {
  /** Length of the steady load (`--minutes`). Default 30. */
  readonly minutes: number;
  /** Tasks per second (`--rate`). Default 2,000. */
  readonly rate: number;
  /** Worker processes (`--workers`). Default 2. */
  readonly workers: number;
  /** Minutes at the start left out of the judging (`--warmup-minutes`). Default min(5, minutes / 4). */
  readonly warmupMinutes: number;
  /** Tasks per `POST /api/tasks/batch` (`--per-request`). Default 100: 20 requests/s at 2,000 tasks/s. */
  readonly perRequest: number;
  /** Longest wait for the queue to drain after the load, in ms (`--drain-timeout`, seconds). Default 120 s. */
  readonly drainTimeoutMs: number;
  /** The services' `PARTITION_INTERVAL` as given, undefined when left to their default (`--partition-interval`). */
  readonly partitionInterval: string | undefined;
  /** The services' `TASK_RETENTION` as given, undefined when left to their default (`--retention`). */
  readonly retention: string | undefined;
  /** Both as the services read them (`loadConfig`), their defaults filled in: what the run is judged by. */
  readonly partitions: PartitionSettings;
  /** Settings of the api and the workers, PARTITION_INTERVAL and TASK_RETENTION among them when set. */
  readonly serviceEnv: Readonly<Record<string, string>>;
  /** Where the JSON result goes (`--json`). Default `bench/results-soak.json` at the repository root. */
  readonly jsonPath: string;
  /** Keep the services' log files even when the run passes (`--keep-logs`). */
  readonly keepLogs: boolean;
  /** Print {@link SOAK_USAGE} and do nothing else (`--help`). */
  readonly help: boolean;
}

/** What the defaults depend on that is not a pure function of the arguments. */
export interface SoakOptionContext {
  /** Used when `--json` is not given. */
  readonly defaultJsonPath: string;
  /** This process's PARTITION_INTERVAL and TASK_RETENTION, used when the flags are not given. */
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** How often the run samples the stack, in ms. */
export const SAMPLE_EVERY_MS = 10_000;

/**
 * Load after the warm-up that the judging needs at least, in ms: three samples, the fewest a
 * least-squares slope says anything with.
 */
export const MIN_JUDGED_MS = 3 * SAMPLE_EVERY_MS;

export const SOAK_USAGE = `npm run soak -- [options]

Starts Redis, PostgreSQL, an api and workers, submits tasks at a steady rate with no faults, and
samples every ${SAMPLE_EVERY_MS / 1000} s the memory of each process, Redis's used_memory, the size and partitions of
the tasks and batches tables, event-loop lag and task latency. After the warm-up, a process,
Redis or the tables growing faster than the bound printed with the result fails the run, as do
an HTTP error, a service exiting, an error in the services' logs, or a task still within the
retention that cannot be read back.

  --minutes M                minutes of steady load (30)
  --rate R                   tasks per second (2000)
  --workers N                worker processes (2)
  --warmup-minutes W         minutes left out of the judging (min(5, M / 4))
  --per-request N            tasks per POST /api/tasks/batch (100)
  --partition-interval D     the services' PARTITION_INTERVAL, e.g. 1m, 1h, 1d (else $PARTITION_INTERVAL, else theirs)
  --retention D              the services' TASK_RETENTION, e.g. 2m, 7d (else $TASK_RETENTION, else theirs)
  --drain-timeout S          longest wait, in seconds, for the queue to drain after the load (120)
  --env NAME=VALUE           a setting of the api and the workers, repeatable
  --json PATH                where the JSON result goes (bench/results-soak.json)
  --keep-logs                keep the services' logs even when the run passes
  --help                     this text
`;

const SPEC = {
  minutes: { type: 'string', default: '30' },
  rate: { type: 'string', default: '2000' },
  workers: { type: 'string', default: '2' },
  'warmup-minutes': { type: 'string' },
  'per-request': { type: 'string', default: '100' },
  'partition-interval': { type: 'string' },
  retention: { type: 'string' },
  'drain-timeout': { type: 'string', default: '120' },
  env: { type: 'string', multiple: true, default: [] as string[] },
  json: { type: 'string' },
  'keep-logs': { type: 'boolean', default: false },
  help: { type: 'boolean', default: false },
} as const;

/** The flag that sets each of the services' settings the soak has one for. */
const FLAG_OF: Readonly<Record<string, string>> = {
  PARTITION_INTERVAL: 'partition-interval',
  TASK_RETENTION: 'retention',
};

/**
 * The partition settings the services will run with, read by their own `loadConfig` from the
 * environment they will be given: the same grammar, bounds and defaults, checked before
 * anything starts. A setting they would refuse is an `OptionError` naming the flag (`--env` for
 * one without a flag of its own) and the variable.
 */
const partitionSettingsOf = (env: Readonly<Record<string, string>>): PartitionSettings => {
  try {
    return loadConfig(env).partitions;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const flag = FLAG_OF[error.issues[0]?.variable ?? ''] ?? 'env';
    throw new OptionError(flag, error.issues.map((issue) => `${issue.variable} ${issue.message}`).join('; '));
  }
};

/**
 * Reads the soak run's command line. PARTITION_INTERVAL and TASK_RETENTION come from the flag,
 * else from `--env`, else from this process's environment, else stay unset so that the
 * services' own defaults apply.
 *
 * @example
 * parseSoakArgs(['--minutes', '2', '--retention', '2m'], { defaultJsonPath: 'x.json', env: process.env });
 */
export const parseSoakArgs = (argv: ReadonlyArray<string>, context: SoakOptionContext): SoakOptions => {
  const values = parseFlags(argv, SPEC);
  const minutes = number('minutes', values.minutes, 0.5, 525_600);
  const warmupMinutes =
    values['warmup-minutes'] === undefined
      ? Math.min(5, minutes / 4)
      : number('warmup-minutes', values['warmup-minutes'], 0, minutes);
  if ((minutes - warmupMinutes) * 60_000 < MIN_JUDGED_MS) {
    throw new OptionError(
      'warmup-minutes',
      `must leave at least ${MIN_JUDGED_MS / 1000} s of load after it to judge (got ${warmupMinutes} of ${minutes} minutes)`,
    );
  }

  // The flag, else --env, else this process's environment; else unset, for the services' default.
  const env: Record<string, string> = { ...serviceEnv(values.env) };
  const settings = [
    ['PARTITION_INTERVAL', values['partition-interval']],
    ['TASK_RETENTION', values.retention],
  ] as const;
  for (const [name, given] of settings) {
    const inherited = context.env[name];
    const value = given ?? env[name] ?? (inherited === '' ? undefined : inherited);
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  const partitions = partitionSettingsOf(env);

  return Object.freeze({
    minutes,
    rate: number('rate', values.rate, 1, 100_000),
    workers: wholeNumber('workers', values.workers, 1, 64),
    warmupMinutes,
    perRequest: wholeNumber('per-request', values['per-request'], 1, 10_000),
    drainTimeoutMs: seconds('drain-timeout', values['drain-timeout'], 1, 86_400),
    partitionInterval: env.PARTITION_INTERVAL,
    retention: env.TASK_RETENTION,
    partitions,
    serviceEnv: Object.freeze(env),
    jsonPath: values.json ?? context.defaultJsonPath,
    keepLogs: values['keep-logs'],
    help: values.help,
  });
};
