import { OptionError } from '../option-error.js';
import { parseFlags } from '../parse-flags.js';
import { number, seconds, serviceEnv, wholeNumber } from '../flag-values.js';

/** A duration setting of the services, as written (`1m`, `7d`) and in seconds. */
export interface Duration {
  readonly text: string;
  readonly seconds: number;
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
  /** The services' `PARTITION_INTERVAL`, undefined when left to their default (`--partition-interval`). */
  readonly partitionInterval: Duration | undefined;
  /** The services' `TASK_RETENTION`, undefined when left to their default (`--retention`). */
  readonly retention: Duration | undefined;
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

const UNIT_SECONDS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3_600, d: 86_400, w: 604_800 };

/**
 * A duration as the services read one (packages/config's `duration()`): a whole number and one
 * unit of s, m, h, d or w. Checked here too, so a typo fails before anything starts.
 */
const duration = (flag: string, text: string, source: string): Duration => {
  const match = /^(\d{1,9})([smhdw])$/.exec(text.trim());
  const unit = UNIT_SECONDS[match?.[2] ?? ''];
  if (match === null || unit === undefined) {
    throw new OptionError(
      flag,
      `${source}must be a whole number and a unit of s, m, h, d or w, such as 1m or 7d (got ${JSON.stringify(text)})`,
    );
  }
  return { text: text.trim(), seconds: Number(match[1]) * unit };
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

  const fromFlags = serviceEnv(values.env);
  const setting = (flag: string, name: string, given: string | undefined): Duration | undefined => {
    if (given !== undefined) return duration(flag, given, '');
    if (fromFlags[name] !== undefined) return duration('env', fromFlags[name], `${name} `);
    const inherited = context.env[name];
    return inherited === undefined || inherited === '' ? undefined : duration(flag, inherited, `$${name} `);
  };
  const partitionInterval = setting('partition-interval', 'PARTITION_INTERVAL', values['partition-interval']);
  const retention = setting('retention', 'TASK_RETENTION', values.retention);
  const env: Record<string, string> = { ...fromFlags };
  if (partitionInterval !== undefined) env.PARTITION_INTERVAL = partitionInterval.text;
  if (retention !== undefined) env.TASK_RETENTION = retention.text;

  return Object.freeze({
    minutes,
    rate: number('rate', values.rate, 1, 100_000),
    workers: wholeNumber('workers', values.workers, 1, 64),
    warmupMinutes,
    perRequest: wholeNumber('per-request', values['per-request'], 1, 10_000),
    drainTimeoutMs: seconds('drain-timeout', values['drain-timeout'], 1, 86_400),
    partitionInterval,
    retention,
    serviceEnv: Object.freeze(env),
    jsonPath: values.json ?? context.defaultJsonPath,
    keepLogs: values['keep-logs'],
    help: values.help,
  });
};
