import { CONSUMERS, SCENARIOS, type Consumer, type ScenarioName } from './bench-result.js';
import { OptionError } from '../option-error.js';
import { parseFlags } from '../parse-flags.js';
import { seconds, serviceEnv, wholeNumber } from '../flag-values.js';

/**
 * Settings of one `npm run bench`. Durations are seconds on the command line and milliseconds
 * here. `--quick` scales every count down so a change can be tried in about two minutes; a flag
 * given explicitly wins over it.
 */
export interface BenchOptions {
  /** Scenarios to run, in their fixed order (`--scenarios commit,throughput,…`). Default all. */
  readonly scenarios: ReadonlyArray<ScenarioName>;
  /** Counts scaled down (`--quick`); the figures are then not the Done-when ones. */
  readonly quick: boolean;
  /** Runs of each measurement (`--repeats`). Default 3, quick 1. */
  readonly repeats: number;
  /** Measured group writes per strategy (`--commit-rounds`). Default 300, quick 40. */
  readonly commitRounds: number;
  /** Group writes per strategy before measuring (`--commit-warmup`). Default 30, quick 5. */
  readonly commitWarmup: number;
  /** Single-row runs only every n-th round, as it is 30× slower (`--single-row-every`). Default 5. */
  readonly singleRowEvery: number;
  /** Tasks per end-to-end, task-types and bulk run (`--tasks`). Default 100,000, quick 20,000. */
  readonly throughputTasks: number;
  /**
   * Who drains the queue in the end-to-end scenario (`--consumers`). Default all four. The bulk
   * scenario always runs sluice-1 and bullmq-noop: its ratio is between those two.
   */
  readonly consumers: ReadonlyArray<Consumer>;
  /** Length of each steady-rate run, in ms (`--latency-seconds`). Default 60 s, quick 10 s. */
  readonly latencyMs: number;
  /** Steady rates in tasks/s (`--rates`). Default 1000,10. */
  readonly latencyRates: ReadonlyArray<number>;
  /** Length of each HTTP load, in ms (`--http-seconds`). Default 10 s, quick 3 s. */
  readonly httpMs: number;
  /** Connections of the single-task load (`--connections`). Default 50. */
  readonly httpConnections: number;
  /** Tasks queued in the memory scenario (`--memory-tasks`). Default 10000,100000, quick 10000. */
  readonly memoryTasks: ReadonlyArray<number>;
  /** A Redis to use instead of starting one (`--redis-url`); only the bench's queues are deleted. */
  readonly redisUrl: string | undefined;
  /** A PostgreSQL server to use instead of starting one (`--database-url`); its `sluice_bench` database is used and emptied. */
  readonly databaseUrl: string | undefined;
  /** Where the JSON result goes (`--json`). Default `bench/results.json`. */
  readonly jsonPath: string;
  /** Write `node --cpu-prof` profiles of the api and workers here, and summarise them (`--cpu-prof DIR`). */
  readonly cpuProfDir: string | undefined;
  /** Extra settings of the api and the workers (`--env NAME=value`, repeatable). */
  readonly serviceEnv: Readonly<Record<string, string>>;
  /** Print the table as Markdown too (`--markdown`), for docs/performance.md. */
  readonly markdown: boolean;
  readonly help: boolean;
}

const SPEC = {
  scenarios: { type: 'string' },
  quick: { type: 'boolean', default: false },
  repeats: { type: 'string' },
  'commit-rounds': { type: 'string' },
  'commit-warmup': { type: 'string' },
  'single-row-every': { type: 'string', default: '5' },
  tasks: { type: 'string' },
  consumers: { type: 'string' },
  'latency-seconds': { type: 'string' },
  rates: { type: 'string', default: '1000,10' },
  'http-seconds': { type: 'string' },
  connections: { type: 'string', default: '50' },
  'memory-tasks': { type: 'string' },
  'redis-url': { type: 'string' },
  'database-url': { type: 'string' },
  json: { type: 'string' },
  'cpu-prof': { type: 'string' },
  env: { type: 'string', multiple: true, default: [] as string[] },
  markdown: { type: 'boolean', default: false },
  help: { type: 'boolean', default: false },
} as const;

/** What `--help` prints. */
export const BENCH_USAGE = `npm run bench -- [options]

Starts its own Redis and a durable PostgreSQL (fsync on), or uses the given ones, runs each
scenario, prints one table and writes bench/results.json. Build first: npx turbo run build.

  --scenarios LIST        commit,throughput,latency,http,memory,types,bulk (all)
  --quick                 scaled-down counts and one repeat, to iterate (about two minutes)
  --repeats N             runs of each measurement (3; quick 1)
  --commit-rounds N       measured group writes per strategy (300; quick 40)
  --commit-warmup N       group writes per strategy before measuring (30; quick 5)
  --single-row-every N    100 single INSERTs only every N-th round (5)
  --tasks N               tasks per end-to-end, task-types and bulk run (100000; quick 20000)
  --consumers LIST        sluice-1,sluice-2,bullmq-noop,bullmq-insert (all); end to end only
  --latency-seconds S     length of each steady-rate run (60; quick 10)
  --rates LIST            steady rates in tasks/s (1000,10)
  --http-seconds S        length of each HTTP load (10; quick 3)
  --connections N         connections of the single-task HTTP load (50)
  --memory-tasks LIST     tasks queued for the memory scenario (10000,100000; quick 10000)
  --redis-url URL         use this Redis; only the bench's own queues are deleted
  --database-url URL      use this PostgreSQL server; its database sluice_bench is created and emptied
  --json PATH             where the JSON result goes (bench/results.json)
  --cpu-prof DIR          run the api and workers under node --cpu-prof, profiles in DIR, summarised
  --env NAME=VALUE        a setting of the api and workers, repeatable (e.g. BATCH_CONCURRENCY=8)
  --markdown              print the table as Markdown too
`;

/** Where the defaults come from when not from the arguments. */
export interface BenchOptionContext {
  readonly defaultJsonPath: string;
}

const list = (text: string): ReadonlyArray<string> =>
  text
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');

/** Names from a fixed set, kept in the set's order and without repeats. */
const choices = <T extends string>(
  flag: string,
  text: string | undefined,
  known: ReadonlyArray<T>,
): ReadonlyArray<T> => {
  if (text === undefined) return known;
  const given = list(text);
  const unknown = given.filter((name) => !(known as ReadonlyArray<string>).includes(name));
  if (unknown.length > 0) throw new OptionError(flag, `unknown ${unknown.join(', ')}; choose from ${known.join(', ')}`);
  if (given.length === 0) throw new OptionError(flag, `name at least one of ${known.join(', ')}`);
  return known.filter((name) => given.includes(name));
};

const numbers = (flag: string, text: string, min: number, max: number): ReadonlyArray<number> => {
  const values = list(text).map((item) => wholeNumber(flag, item, min, max));
  if (values.length === 0) throw new OptionError(flag, 'give at least one number');
  return values;
};

const url = (flag: string, text: string | undefined, schemes: ReadonlyArray<string>): string | undefined => {
  if (text === undefined) return undefined;
  let protocol: string;
  try {
    protocol = new URL(text).protocol.replace(/:$/, '');
  } catch {
    throw new OptionError(flag, `must be a URL (got ${JSON.stringify(text)})`);
  }
  if (!schemes.includes(protocol))
    throw new OptionError(flag, `must start with ${schemes.map((s) => `${s}://`).join(' or ')}`);
  return text;
};

/**
 * Reads the bench's command line. Throws a {@link OptionError} naming the flag when a value
 * cannot be used.
 *
 * @example
 * const options = parseBenchArgs(['--quick', '--scenarios', 'commit'], { defaultJsonPath: 'bench/results.json' });
 */
export const parseBenchArgs = (argv: ReadonlyArray<string>, context: BenchOptionContext): BenchOptions => {
  const values = parseFlags(argv, SPEC);
  const quick = values.quick;
  const pick = (given: string | undefined, full: string, scaled: string): string => given ?? (quick ? scaled : full);
  return Object.freeze({
    scenarios: choices('scenarios', values.scenarios, SCENARIOS),
    quick,
    repeats: wholeNumber('repeats', pick(values.repeats, '3', '1'), 1, 100),
    commitRounds: wholeNumber('commit-rounds', pick(values['commit-rounds'], '300', '40'), 1, 100_000),
    commitWarmup: wholeNumber('commit-warmup', pick(values['commit-warmup'], '30', '5'), 0, 100_000),
    singleRowEvery: wholeNumber('single-row-every', values['single-row-every'], 1, 1_000),
    throughputTasks: wholeNumber('tasks', pick(values.tasks, '100000', '20000'), 100, 10_000_000),
    consumers: choices('consumers', values.consumers, CONSUMERS),
    latencyMs: seconds('latency-seconds', pick(values['latency-seconds'], '60', '10'), 1, 3_600),
    latencyRates: numbers('rates', values.rates, 1, 100_000),
    httpMs: seconds('http-seconds', pick(values['http-seconds'], '10', '3'), 1, 3_600),
    httpConnections: wholeNumber('connections', values.connections, 1, 10_000),
    memoryTasks: numbers('memory-tasks', pick(values['memory-tasks'], '10000,100000', '10000'), 1, 10_000_000),
    redisUrl: url('redis-url', values['redis-url'], ['redis', 'rediss']),
    databaseUrl: url('database-url', values['database-url'], ['postgres', 'postgresql']),
    jsonPath: values.json ?? context.defaultJsonPath,
    cpuProfDir: values['cpu-prof'],
    serviceEnv: serviceEnv(values.env),
    markdown: values.markdown,
    help: values.help,
  });
};
