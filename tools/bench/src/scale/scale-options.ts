import { MAX_QUEUE_SHARDS } from '@sluice/config';
import { serviceEnv, wholeNumber } from '../flag-values.js';
import { OptionError } from '../option-error.js';
import { parseFlags } from '../parse-flags.js';

/** A Redis Cluster for the run instead of one redis-server, and the queue's shards on it. */
export interface ScaleCluster {
  /** Primaries of the cluster, each its own redis-server (`--cluster`); at least 3. */
  readonly primaries: number;
  /** Queues the tasks spread over (`--shards`, QUEUE_SHARDS). Default 2 × primaries. */
  readonly shards: number;
}

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
  /** Absent: one redis-server and one queue, as without sharding. */
  readonly cluster?: ScaleCluster;
  /** Print {@link SCALE_USAGE} and do nothing else (`--help`). */
  readonly help: boolean;
}

export const SCALE_USAGE = `npm run scale -- [options]

Runs an api and 1, 2, then 4 worker processes against one Redis and one PostgreSQL (started for
the run). Each round measures the same number of tasks twice: end to end (submitted while the
workers run, from the first submission to the last commit) and drain (submitted to a paused
queue, from the resume to the last commit). Prints committed tasks/s, the CPU each part of the
stack used, what bound it, and each Redis server's share: script calls, and its CPU per task.

With --cluster N the run starts a Redis Cluster of N primaries instead of one Redis, and the api
and the workers spread the tasks over --shards queues on it (REDIS_CLUSTER_NODES, QUEUE_SHARDS).

  --workers 1,2,4      worker processes of each round
  --tasks 50000        tasks submitted per round (through POST /api/tasks/batch {"count": …})
  --per-request 5000   tasks per request
  --in-flight 4        requests sent at once
  --drain-timeout 300  seconds to wait for a round's last commit
  --env NAME=VALUE     a setting of the api and the workers, repeatable (e.g. BATCH_CONCURRENCY=8)
  --cluster 3          a Redis Cluster of this many primaries (3 or more) instead of one Redis
  --shards 6           queue shards on the cluster (default 2 × primaries; only with --cluster)
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
  cluster: { type: 'string' },
  shards: { type: 'string' },
  help: { type: 'boolean', default: false },
} as const;

/** What --cluster and --shards decide; set by --env, the run's own Redis and queues would not match. */
const REDIS_LAYOUT_ENV = ['REDIS_URL', 'REDIS_CLUSTER_NODES', 'QUEUE_SHARDS', 'WORKER_SHARDS'] as const;
/** The most primaries a run starts: each is a redis-server on this machine. */
const MAX_PRIMARIES = 16;

const clusterOf = (primaries: string | undefined, shards: string | undefined): ScaleCluster | undefined => {
  if (primaries === undefined) {
    if (shards !== undefined)
      throw new OptionError('shards', 'only with --cluster: the shards are spread over its primaries');
    return undefined;
  }
  const count = wholeNumber('cluster', primaries, 3, MAX_PRIMARIES);
  return {
    primaries: count,
    shards: shards === undefined ? 2 * count : wholeNumber('shards', shards, 1, MAX_QUEUE_SHARDS),
  };
};

/**
 * Reads the scaling run's command line.
 *
 * @example
 * parseScaleArgs(['--workers', '1,2', '--tasks', '20000'], { defaultJsonPath: 'bench/results-scale.json' });
 * parseScaleArgs(['--cluster', '3'], { defaultJsonPath }).cluster; // { primaries: 3, shards: 6 }
 */
export const parseScaleArgs = (
  argv: ReadonlyArray<string>,
  context: { readonly defaultJsonPath: string },
): ScaleOptions => {
  const values = parseFlags(argv, SPEC);
  const workerCounts = values.workers.split(',').map((part) => wholeNumber('workers', part, 1, 64));
  const env = serviceEnv(values.env);
  const taken = REDIS_LAYOUT_ENV.find((name) => env[name] !== undefined);
  if (taken !== undefined)
    throw new OptionError('env', `${taken} is the run's own (one Redis, or --cluster and --shards); set those instead`);
  const cluster = clusterOf(values.cluster, values.shards);
  return {
    workerCounts,
    tasks: wholeNumber('tasks', values.tasks, 1, 1_000_000),
    perRequest: wholeNumber('per-request', values['per-request'], 1, 100_000),
    inFlight: wholeNumber('in-flight', values['in-flight'], 1, 64),
    drainTimeoutMs: wholeNumber('drain-timeout', values['drain-timeout'], 1, 3_600) * 1_000,
    jsonPath: values.json ?? context.defaultJsonPath,
    serviceEnv: env,
    ...(cluster === undefined ? {} : { cluster }),
    help: values.help,
  };
};
