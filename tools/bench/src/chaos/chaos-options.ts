import { OptionError } from '../option-error.js';
import { parseFlags } from '../parse-flags.js';
import { number, seconds, serviceEnv } from '../flag-values.js';

/**
 * Settings of one chaos run. Times are in seconds on the command line and in milliseconds here,
 * so nothing downstream has to remember which unit a number is in.
 */
export interface ChaosOptions {
  /** Tasks to submit, each carrying its own ref (`--tasks`). Default 30,000. */
  readonly tasks: number;
  /** Steady submission rate in tasks/s (`--rate`). Default 500. */
  readonly rate: number;
  /** Tasks per HTTP request; 1 uses `POST /api/tasks` (`--per-request`). Default 20. */
  readonly perRequest: number;
  /** Requests in flight at once, at most (`--max-in-flight`). Default 16. */
  readonly maxInFlight: number;
  /** A request without an answer after this long is indeterminate, in ms (`--request-timeout`). Default 10,000. */
  readonly requestTimeoutMs: number;
  /** Worker processes (`--workers`). Default 3. */
  readonly workers: number;
  /** Time between worker SIGKILLs, in ms; 0 for none (`--kill-every`). Default 5,000. */
  readonly killEveryMs: number;
  /** Most worker SIGKILLs (`--kills`). Default: as many as fit in the load window. */
  readonly maxKills: number;
  /** Time from a worker's SIGKILL to its restart, in ms (`--restart-after`). Default 1,000. */
  readonly restartAfterMs: number;
  /** When Redis is SIGKILLed, from the start of the load, in ms; undefined for never (`--redis-restart-at`). Default 30 % of the load window. */
  readonly redisRestartAtMs: number | undefined;
  /** Time Redis stays down after its SIGKILL, in ms (`--redis-down`). Default 2,000. */
  readonly redisDownMs: number;
  /** When PostgreSQL is stopped, from the start of the load, in ms; undefined for never (`--pg-outage-at`). Default 45 % of the load window. */
  readonly pgOutageAtMs: number | undefined;
  /** Time PostgreSQL stays stopped, in ms (`--pg-outage-seconds`). Default 12,000; at least 10,000 counts as the outage. */
  readonly pgOutageMs: number;
  /** Seed of the random choices (which worker dies) (`--seed`). Default: a random one, printed. */
  readonly seed: number;
  /** Longest wait for the queue to drain after the load, in ms (`--drain-timeout`). Default 150,000. */
  readonly drainTimeoutMs: number;
  /** Where the JSON result goes (`--json`). Default `bench/results-chaos.json` at the repository root. */
  readonly jsonPath: string;
  /** No progress line, only the final table (`--quiet`). */
  readonly quiet: boolean;
  /** Print {@link CHAOS_USAGE} and do nothing else (`--help`). */
  readonly help: boolean;
  /** Keep the services' log files even when the run passes (`--keep-logs`). */
  readonly keepLogs: boolean;
  /** Settings of the api and the workers, passed as environment variables (`--env NAME=value`, repeatable). */
  readonly serviceEnv: Readonly<Record<string, string>>;
}

/**
 * Settings of the api and the workers in a chaos run (the api reads the retry ones too: they
 * become each job's attempts and backoff). A SIGKILLed worker's jobs come back after about
 * lockDuration + stalledInterval; the production defaults (15 s + 5 s) would make every kill
 * stall a share of the load for 20 s, so the run uses short ones and prints them.
 */
export const DEFAULT_SERVICE_ENV: Readonly<Record<string, string>> = Object.freeze({
  LOCK_DURATION_MS: '5000',
  STALLED_INTERVAL_MS: '2000',
  MAX_STALLED_COUNT: '5',
  // The rest are the production defaults, written out so the JSON result records them.
  BATCH_SIZE: '100',
  BATCH_TIMEOUT_MS: '3000',
  BATCH_MAX_RETRIES: '3',
  BACKOFF_DELAY_MS: '1000',
});

/** What the defaults depend on that is not a pure function of the arguments. */
export interface OptionContext {
  /** Used when `--seed` is not given. */
  readonly randomSeed: number;
  /** Used when `--json` is not given. */
  readonly defaultJsonPath: string;
}

const SPEC = {
  tasks: { type: 'string', default: '30000' },
  rate: { type: 'string', default: '500' },
  'per-request': { type: 'string', default: '20' },
  'max-in-flight': { type: 'string', default: '16' },
  'request-timeout': { type: 'string', default: '10' },
  workers: { type: 'string', default: '3' },
  'kill-every': { type: 'string', default: '5' },
  kills: { type: 'string' },
  'restart-after': { type: 'string', default: '1' },
  'redis-restart-at': { type: 'string' },
  'redis-down': { type: 'string', default: '2' },
  'pg-outage-at': { type: 'string' },
  'pg-outage-seconds': { type: 'string', default: '12' },
  seed: { type: 'string' },
  'drain-timeout': { type: 'string', default: '150' },
  json: { type: 'string' },
  quiet: { type: 'boolean', default: false },
  'keep-logs': { type: 'boolean', default: false },
  env: { type: 'string', multiple: true, default: [] as string[] },
  help: { type: 'boolean', default: false },
} as const;

/** What `--help` prints. */
export const CHAOS_USAGE = `npm run chaos -- [options]

Starts Redis (AOF, appendfsync always), PostgreSQL, an api and workers; submits tasks at a steady
rate while killing workers, restarting Redis and stopping PostgreSQL; then checks every task.

  --tasks N               tasks to submit (30000)
  --rate N                tasks per second (500)
  --per-request N         tasks per HTTP request; 1 uses POST /api/tasks (20)
  --max-in-flight N       requests in flight at most (16)
  --request-timeout S     a request unanswered after S seconds is indeterminate (10)
  --workers N             worker processes (3)
  --kill-every S          SIGKILL a random worker every S seconds; 0 for never (5)
  --kills N               at most N worker kills (as many as fit in the load window)
  --restart-after S       restart a killed worker after S seconds (1)
  --redis-restart-at S    SIGKILL Redis S seconds into the load, or off (30 % of the window)
  --redis-down S          seconds before Redis is started again (2)
  --pg-outage-at S        stop PostgreSQL S seconds into the load, or off (45 % of the window)
  --pg-outage-seconds S   how long PostgreSQL stays stopped (12)
  --seed N                seed of the random choices (random, printed)
  --drain-timeout S       longest wait for the queue to drain (150)
  --json PATH             where the JSON result goes (bench/results-chaos.json)
  --env NAME=VALUE        a setting of the api and workers, repeatable; defaults LOCK_DURATION_MS=5000
                          STALLED_INTERVAL_MS=2000 MAX_STALLED_COUNT=5 BATCH_SIZE=100 BATCH_TIMEOUT_MS=3000
                          BATCH_MAX_RETRIES=3 BACKOFF_DELAY_MS=1000
  --keep-logs             keep the services' logs even when the run passes
  --quiet                 only the final table
`;

/** `off` (or `none`) turns a one-off fault off; otherwise seconds from the start of the load. */
const momentOrOff = (flag: string, text: string | undefined, fallbackMs: number): number | undefined => {
  if (text === undefined) return fallbackMs;
  if (text === 'off' || text === 'none') return undefined;
  return seconds(flag, text, 0, 86_400);
};

/** How long the load lasts at the requested rate, in ms: the window the faults fall into. */
export const loadWindowMs = (options: Pick<ChaosOptions, 'tasks' | 'rate'>): number =>
  Math.ceil((options.tasks / options.rate) * 1000);

/**
 * Reads the chaos run's command line. Throws a {@link OptionError} naming the flag when a
 * value is out of range or the schedule could not inject what it promises.
 *
 * @example
 * const options = parseChaosArgs(['--tasks', '5000', '--seed', '7'], { randomSeed: 1, defaultJsonPath: 'x.json' });
 */
export const parseChaosArgs = (argv: ReadonlyArray<string>, context: OptionContext): ChaosOptions => {
  const values = parseFlags(argv, SPEC);
  const tasks = number('tasks', values.tasks, 1, 10_000_000, true);
  const rate = number('rate', values.rate, 1, 100_000);
  const window = loadWindowMs({ tasks, rate });
  const killEveryMs = seconds('kill-every', values['kill-every'], 0, 86_400);
  const restartAfterMs = seconds('restart-after', values['restart-after'], 0, 3_600);
  const pgOutageMs = seconds('pg-outage-seconds', values['pg-outage-seconds'], 0, 3_600);
  const options: ChaosOptions = {
    tasks,
    rate,
    perRequest: number('per-request', values['per-request'], 1, 10_000, true),
    maxInFlight: number('max-in-flight', values['max-in-flight'], 1, 1_000, true),
    requestTimeoutMs: seconds('request-timeout', values['request-timeout'], 0.1, 600),
    workers: number('workers', values.workers, 1, 64, true),
    killEveryMs,
    maxKills: values.kills === undefined ? Number.MAX_SAFE_INTEGER : number('kills', values.kills, 0, 1_000_000, true),
    restartAfterMs,
    redisRestartAtMs: momentOrOff('redis-restart-at', values['redis-restart-at'], Math.round(window * 0.3)),
    redisDownMs: seconds('redis-down', values['redis-down'], 0, 3_600),
    pgOutageAtMs: momentOrOff('pg-outage-at', values['pg-outage-at'], Math.round(window * 0.45)),
    pgOutageMs,
    seed: values.seed === undefined ? context.randomSeed : number('seed', values.seed, 0, 2 ** 32 - 1, true),
    drainTimeoutMs: seconds('drain-timeout', values['drain-timeout'], 1, 86_400),
    jsonPath: values.json ?? context.defaultJsonPath,
    quiet: values.quiet,
    help: values.help,
    keepLogs: values['keep-logs'],
    serviceEnv: serviceEnv(values.env, DEFAULT_SERVICE_ENV),
  };
  // A kill must not land on a worker that is still down from the previous one: it would be a
  // no-op counted as a fault.
  if (killEveryMs > 0 && restartAfterMs >= killEveryMs) {
    throw new OptionError('restart-after', `must be shorter than --kill-every (${killEveryMs / 1000} s)`);
  }
  // One-off faults must fall while tasks are still being submitted, or they test nothing.
  if (options.redisRestartAtMs !== undefined && options.redisRestartAtMs >= window) {
    throw new OptionError('redis-restart-at', `must fall within the load window of ${window / 1000} s (tasks / rate)`);
  }
  if (options.pgOutageAtMs !== undefined && options.pgOutageAtMs >= window) {
    throw new OptionError('pg-outage-at', `must fall within the load window of ${window / 1000} s (tasks / rate)`);
  }
  return Object.freeze(options);
};
