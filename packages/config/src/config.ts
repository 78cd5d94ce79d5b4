import { hostname } from 'node:os';
import { z } from 'zod';
import {
  boolean,
  duration,
  fraction,
  integer,
  logFormat,
  logLevel,
  optionalInteger,
  optionalText,
  indexList,
  redisNodes,
  urlOr,
  type RedisNode,
} from './env-schema.js';
import { ConfigError } from './config-error.js';
import { formatDuration } from './duration.js';
import { deepFreeze, parseEnv, type Env } from './parse-env.js';

/** The most queues QUEUE_SHARDS may spread the tasks over. */
export const MAX_QUEUE_SHARDS = 1_024;

const schema = z.object({
  PORT: integer(8038, 0, 65_535),
  HTTP_KEEP_ALIVE_TIMEOUT_MS: integer(65_000, 1_000, 3_600_000),
  METRICS_PORT: optionalInteger(0, 65_535),
  REDIS_URL: urlOr(['redis', 'rediss'], 'redis://127.0.0.1:6379'),
  REDIS_CLUSTER_NODES: redisNodes(),
  QUEUE_SHARDS: integer(1, 1, MAX_QUEUE_SHARDS),
  WORKER_SHARDS: indexList(),
  DATABASE_URL: urlOr(['postgres', 'postgresql'], 'postgres://postgres@127.0.0.1:5432/sluice'),
  QUEUE_NAME: z.preprocess(
    (v) => (v === '' ? undefined : v),
    z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 letters, digits, "_" or "-"')
      .default('tasks'),
  ),
  BATCH_SIZE: integer(100, 1, 10_000),
  BATCH_TIMEOUT_MS: integer(3_000, 1, 3_600_000),
  BATCH_MAX_RETRIES: integer(3, 0, 100),
  BATCH_CONCURRENCY: integer(4, 1, 64),
  BATCH_MAX_HELD: optionalInteger(1, 10_000_000),
  BACKOFF_DELAY_MS: integer(1_000, 0, 3_600_000),
  SHUTDOWN_GRACE_MS: integer(30_000, 0, 3_600_000),
  LOCK_DURATION_MS: integer(15_000, 1_000, 3_600_000),
  STALLED_INTERVAL_MS: integer(5_000, 500, 3_600_000),
  MAX_STALLED_COUNT: integer(5, 0, 1_000),
  FAULT_INJECTION: z.preprocess(
    (v) => (v === '' ? undefined : v),
    z.enum(['crash-after-commit'], { error: 'must be crash-after-commit (a test-only fault)' }).optional(),
  ),
  DB_POOL_SIZE: integer(0, 0, 200),
  DB_STATEMENT_TIMEOUT_MS: integer(30_000, 0, 3_600_000),
  DB_QUERY_TIMEOUT_MS: optionalInteger(0, 3_600_000),
  DB_KEEPALIVE_INITIAL_DELAY_MS: integer(10_000, 0, 3_600_000),
  WORKERS: integer(2, 1, 64),
  WORKER_ID: optionalText(),
  LOG_LEVEL: logLevel(),
  LOG_FORMAT: logFormat(),
  BOARD_USERNAME: optionalText(),
  BOARD_PASSWORD: optionalText(),
  BOARD_READ_ONLY: boolean(false),
  QUEUE_HIGH_WATER: integer(1_000_000, 1, 1_000_000_000),
  FAILED_JOBS_RETENTION: duration('7d', 60, 365 * 86_400),
  FAILED_JOBS_MAX: integer(10_000, 1, 10_000_000),
  EVENTS_MAX_LEN: integer(10_000, 100, 10_000_000),
  TASK_RETENTION: duration('7d', 60, 10 * 365 * 86_400),
  PARTITION_INTERVAL: duration('1d', 60, 366 * 86_400),
  API_KEYS: z.preprocess(
    (v) => (typeof v === 'string' && v.trim() !== '' ? v : undefined),
    z
      .string()
      .transform((v) =>
        v
          .split(',')
          .map((key) => key.trim())
          .filter((key) => key !== ''),
      )
      .refine((keys) => keys.every((key) => /^[\x21-\x7e]{16,256}$/.test(key)), {
        error: 'must be a comma-separated list of keys, each 16 to 256 visible ASCII characters',
      })
      .optional(),
  ),
  RATE_LIMIT_POINTS: integer(0, 0, 10_000_000),
  RATE_LIMIT_WINDOW_SECONDS: integer(60, 1, 86_400),
  METRICS_USERNAME: optionalText(),
  METRICS_PASSWORD: optionalText(),
  DEMO_FAILURE_RATE: fraction(0),
  DEMO_WORK_MS: integer(2, 0, 60_000),
  SLUICE_TASKS: optionalText(),
});

/** The most partitions per table TASK_RETENTION and PARTITION_INTERVAL may keep together. */
export const MAX_PARTITIONS_KEPT = 1_000;

/**
 * Every environment variable {@link loadConfig} reads: the schema's keys. Deployment checks use it
 * to require that a compose file sets, or may leave to its default, each one the apps read.
 *
 * @example
 * CONFIG_VARIABLES.includes('BATCH_SIZE'); // true
 */
export const CONFIG_VARIABLES: ReadonlyArray<string> = Object.freeze(Object.keys(schema.shape));

export interface BatchSettings {
  /** Tasks per group before it is released (`BATCH_SIZE`, default 100). */
  readonly size: number;
  /** Longest wait of a group's oldest task, in ms (`BATCH_TIMEOUT_MS`, default 3000). */
  readonly timeoutMs: number;
  /** Retries after the first attempt (`BATCH_MAX_RETRIES`, default 3). */
  readonly maxRetries: number;
  /** Groups being handled and committed at once per worker (`BATCH_CONCURRENCY`, default 4). */
  readonly concurrency: number;
  /**
   * Most tasks a worker holds at once, however many task types and `groupBy` keys are in use
   * (`BATCH_MAX_HELD`). Unset: 10 × the largest group size × (BATCH_CONCURRENCY + 1), 5,000 by
   * default. The hold starts at BATCH_SIZE × (BATCH_CONCURRENCY + 1) and grows to fit one full
   * group of each key in use; past this, groups leave under pressure, smaller than full.
   */
  readonly maxHeld?: number;
  /** First retry delay in ms, doubled each attempt (`BACKOFF_DELAY_MS`, default 1000). */
  readonly backoffDelayMs: number;
}

/** Everything a Sluice process may be configured with, read once from the environment. */
export interface Config {
  readonly port: number;
  /**
   * How long the api keeps an idle keep-alive connection open, in ms (`HTTP_KEEP_ALIVE_TIMEOUT_MS`,
   * default 65,000): above a load balancer's idle timeout (60 s on most), so that it closes first.
   */
  readonly httpKeepAliveTimeoutMs: number;
  /**
   * Port of a worker's own `/metrics` and `/livez` server (`METRICS_PORT`; 0 picks a free one).
   * Unset: the worker takes 9464, or any free port when another worker on the host holds 9464.
   * The api serves its metrics on `port` instead.
   */
  readonly metricsPort?: number;
  /** Redis, unless `redisClusterNodes` is set (`REDIS_URL`). */
  readonly redisUrl: string;
  /**
   * The seed nodes of a Redis Cluster (`REDIS_CLUSTER_NODES`): every process then connects through
   * ioredis's Cluster client, and `redisUrl` is not used.
   */
  readonly redisClusterNodes?: ReadonlyArray<RedisNode>;
  readonly databaseUrl: string;
  /** The queue's name (`QUEUE_NAME`); with shards or a cluster, the stem of each shard's name. */
  readonly queueName: string;
  /**
   * How the tasks spread over queues. `count` queues (`QUEUE_SHARDS`, default 1), each in one
   * hash slot of its own; a task goes to the one a hash of its id picks. `consumed` are the
   * shards this worker takes jobs from (`WORKER_SHARDS`, numbered from 0; default all).
   */
  readonly shards: { readonly count: number; readonly consumed: ReadonlyArray<number> };
  readonly batch: BatchSettings;
  /** How long a stopping process may take to flush and commit, in ms (`SHUTDOWN_GRACE_MS`). */
  readonly shutdownGraceMs: number;
  /**
   * How a crashed worker's jobs come back. A held job's lock lasts `lockDurationMs` and is renewed
   * every half of it; every `stalledIntervalMs` each worker moves jobs whose lock expired back to
   * the queue; a job found stalled more than `maxStalledCount` times is failed for good.
   */
  readonly recovery: {
    readonly lockDurationMs: number;
    readonly stalledIntervalMs: number;
    readonly maxStalledCount: number;
  };
  /** Test-only: `crash-after-commit` makes the worker SIGKILL itself right after its first commit. */
  readonly faultInjection?: 'crash-after-commit';
  /** PostgreSQL connections per process; 0 picks BATCH_CONCURRENCY + 1 (`DB_POOL_SIZE`). */
  readonly dbPoolSize: number;
  /**
   * How long a PostgreSQL connection may keep a process waiting, named as `createDb` takes them.
   * `statementTimeoutMs` (`DB_STATEMENT_TIMEOUT_MS`, default 30,000): the server cancels a
   * statement that runs longer. `queryTimeoutMs` (`DB_QUERY_TIMEOUT_MS`): the client gives up
   * on a connection that has not answered for that long, which is how a half-open one ends;
   * above the statement timeout when both are set; unset, `createDb` takes the statement
   * timeout + 5,000. `keepAliveInitialDelayMs` (`DB_KEEPALIVE_INITIAL_DELAY_MS`, default 10,000;
   * 0 or at least 1,000): idle time before TCP keepalive probes. 0 turns each off, and a
   * statement timeout of 0 also the default query timeout.
   */
  readonly dbConnection: {
    readonly statementTimeoutMs: number;
    readonly queryTimeoutMs?: number;
    readonly keepAliveInitialDelayMs: number;
  };
  /** Worker processes `npm start` runs (`WORKERS`, default 2). */
  readonly workers: number;
  /** This process's name in logs and in `batches.worker_id` (`WORKER_ID`, default host-pid). */
  readonly workerId: string;
  readonly log: { readonly level: string; readonly format: 'json' | 'pretty' };
  readonly board: {
    readonly username?: string;
    readonly password?: string;
    readonly readOnly: boolean;
  };
  /** The most tasks that may be waiting: the api answers 503 to a submission that would pass it (`QUEUE_HIGH_WATER`). */
  readonly queueHighWater: number;
  /**
   * How Redis stays bounded. A job that failed for good is kept `failedJobs.maxAgeSeconds`
   * (`FAILED_JOBS_RETENTION`, default 7d) for Bull Board, and at most the newest
   * `failedJobs.maxCount` (`FAILED_JOBS_MAX`, default 10,000) of them: its FAILED row in
   * PostgreSQL keeps the facts after that. The queue's events stream keeps about `eventsMaxLen`
   * entries (`EVENTS_MAX_LEN`, default 10,000, BullMQ's own default).
   */
  readonly redisBounds: {
    readonly failedJobs: { readonly maxAgeSeconds: number; readonly maxCount: number };
    readonly eventsMaxLen: number;
  };
  /**
   * How long task and batch rows are kept, and how the tables are cut to drop them. `tasks` is
   * partitioned by `submitted_at` and `batches` by `committed_at`, one partition per
   * `intervalSeconds` (`PARTITION_INTERVAL`, default 1d, aligned to UTC multiples of it since
   * the epoch); a partition is dropped once all of it is older than `retentionSeconds`
   * (`TASK_RETENTION`, default 7d), so a row lives from the retention to the retention plus one
   * interval. Read by the migration and by every worker, which keep partitions ahead.
   */
  readonly partitions: { readonly intervalSeconds: number; readonly retentionSeconds: number };
  /**
   * Bearer keys every /api route requires (`API_KEYS`, comma-separated, each 16–256 visible
   * ASCII characters). Empty: /api is open.
   */
  readonly apiKeys: ReadonlyArray<string>;
  /**
   * Requests each client may make to /api per window, counted in Redis so every api replica shares
   * the budget. A client is its API key when keys are configured, else its IP address.
   * `points` 0 (`RATE_LIMIT_POINTS`, the default): no limit. `windowSeconds`
   * (`RATE_LIMIT_WINDOW_SECONDS`, default 60): the fixed window the points are counted over.
   */
  readonly rateLimit: { readonly points: number; readonly windowSeconds: number };
  /**
   * Basic-auth credentials for the api's `/metrics` and `/actuator/prometheus` and every worker's
   * `/metrics` (`METRICS_USERNAME` and `METRICS_PASSWORD`, set together). Unset: metrics are open.
   */
  readonly metricsAuth?: { readonly username: string; readonly password: string };
  /**
   * Node's own `NODE_OPTIONS`, as the process was started with it (not a Sluice setting): the api
   * and the worker compare it with the flags they are tuned for and say when those are missing.
   */
  readonly nodeOptions: string;
  /**
   * The task module the api and the worker load (`SLUICE_TASKS`): the path of a `.js`, `.mjs` or
   * `.cjs` file whose default export, or named export `taskTypes`, is an array of task types;
   * a relative path is taken from the working directory. Unset: the demo task types.
   */
  readonly tasksModule?: string;
  readonly demo: {
    /** Share of demo tasks whose handler fails with a retryable error (`DEMO_FAILURE_RATE`). */
    readonly failureRate: number;
    /** Simulated work per group in ms (`DEMO_WORK_MS`, default 2). */
    readonly workMs: number;
  };
}

/**
 * Reads the configuration from `env` (by default the process environment), once.
 * Throws a {@link ConfigError} naming each bad variable.
 *
 * @example
 * const config = loadConfig();
 * console.log(config.batch.size); // 100
 */
export const loadConfig = (env: Env = process.env): Config => {
  const raw = parseEnv(schema, env);
  const board =
    raw.BOARD_USERNAME !== undefined && raw.BOARD_PASSWORD !== undefined
      ? { username: raw.BOARD_USERNAME, password: raw.BOARD_PASSWORD, readOnly: raw.BOARD_READ_ONLY }
      : { readOnly: raw.BOARD_READ_ONLY };
  const config: Config = {
    port: raw.PORT,
    httpKeepAliveTimeoutMs: raw.HTTP_KEEP_ALIVE_TIMEOUT_MS,
    ...(raw.METRICS_PORT === undefined ? {} : { metricsPort: raw.METRICS_PORT }),
    redisUrl: raw.REDIS_URL,
    ...(raw.REDIS_CLUSTER_NODES === undefined ? {} : { redisClusterNodes: raw.REDIS_CLUSTER_NODES }),
    databaseUrl: raw.DATABASE_URL,
    queueName: raw.QUEUE_NAME,
    shards: {
      count: raw.QUEUE_SHARDS,
      consumed: raw.WORKER_SHARDS ?? Array.from({ length: raw.QUEUE_SHARDS }, (_, shard) => shard),
    },
    batch: {
      size: raw.BATCH_SIZE,
      timeoutMs: raw.BATCH_TIMEOUT_MS,
      maxRetries: raw.BATCH_MAX_RETRIES,
      concurrency: raw.BATCH_CONCURRENCY,
      ...(raw.BATCH_MAX_HELD === undefined ? {} : { maxHeld: raw.BATCH_MAX_HELD }),
      backoffDelayMs: raw.BACKOFF_DELAY_MS,
    },
    shutdownGraceMs: raw.SHUTDOWN_GRACE_MS,
    recovery: {
      lockDurationMs: raw.LOCK_DURATION_MS,
      stalledIntervalMs: raw.STALLED_INTERVAL_MS,
      maxStalledCount: raw.MAX_STALLED_COUNT,
    },
    ...(raw.FAULT_INJECTION === undefined ? {} : { faultInjection: raw.FAULT_INJECTION }),
    dbPoolSize: raw.DB_POOL_SIZE === 0 ? raw.BATCH_CONCURRENCY + 1 : raw.DB_POOL_SIZE,
    dbConnection: {
      statementTimeoutMs: raw.DB_STATEMENT_TIMEOUT_MS,
      ...(raw.DB_QUERY_TIMEOUT_MS === undefined ? {} : { queryTimeoutMs: raw.DB_QUERY_TIMEOUT_MS }),
      keepAliveInitialDelayMs: raw.DB_KEEPALIVE_INITIAL_DELAY_MS,
    },
    queueHighWater: raw.QUEUE_HIGH_WATER,
    redisBounds: {
      failedJobs: { maxAgeSeconds: raw.FAILED_JOBS_RETENTION, maxCount: raw.FAILED_JOBS_MAX },
      eventsMaxLen: raw.EVENTS_MAX_LEN,
    },
    partitions: { intervalSeconds: raw.PARTITION_INTERVAL, retentionSeconds: raw.TASK_RETENTION },
    apiKeys: raw.API_KEYS ?? [],
    rateLimit: { points: raw.RATE_LIMIT_POINTS, windowSeconds: raw.RATE_LIMIT_WINDOW_SECONDS },
    ...(raw.METRICS_USERNAME !== undefined && raw.METRICS_PASSWORD !== undefined
      ? { metricsAuth: { username: raw.METRICS_USERNAME, password: raw.METRICS_PASSWORD } }
      : {}),
    workers: raw.WORKERS,
    workerId: raw.WORKER_ID ?? `${hostname()}-${process.pid}`,
    nodeOptions: env.NODE_OPTIONS ?? '',
    log: { level: raw.LOG_LEVEL, format: raw.LOG_FORMAT },
    board,
    ...(raw.SLUICE_TASKS === undefined ? {} : { tasksModule: raw.SLUICE_TASKS }),
    demo: { failureRate: raw.DEMO_FAILURE_RATE, workMs: raw.DEMO_WORK_MS },
  };
  if (
    raw.DB_QUERY_TIMEOUT_MS !== undefined &&
    raw.DB_QUERY_TIMEOUT_MS > 0 &&
    raw.DB_STATEMENT_TIMEOUT_MS > 0 &&
    raw.DB_QUERY_TIMEOUT_MS <= raw.DB_STATEMENT_TIMEOUT_MS
  ) {
    throw new ConfigError([
      {
        variable: 'DB_QUERY_TIMEOUT_MS',
        message:
          `must be 0 or above DB_STATEMENT_TIMEOUT_MS (${raw.DB_STATEMENT_TIMEOUT_MS}), so that the server cancels ` +
          `a slow statement before the client gives up on its connection (got "${raw.DB_QUERY_TIMEOUT_MS}")`,
      },
    ]);
  }
  const beyond = (raw.WORKER_SHARDS ?? []).filter((shard) => shard >= raw.QUEUE_SHARDS);
  if (beyond.length > 0) {
    throw new ConfigError([
      {
        variable: 'WORKER_SHARDS',
        message:
          `names shard ${beyond.join(', ')}, but QUEUE_SHARDS=${raw.QUEUE_SHARDS} numbers them 0 to ${raw.QUEUE_SHARDS - 1} ` +
          `(got "${(raw.WORKER_SHARDS ?? []).join(',')}")`,
      },
    ]);
  }
  // Every partition in the retention is a relation PostgreSQL plans around for a lookup by id;
  // thousands of them slow every such query down, so a setting that would keep that many stops here.
  const partitionsKept = Math.ceil(raw.TASK_RETENTION / raw.PARTITION_INTERVAL);
  if (partitionsKept > MAX_PARTITIONS_KEPT) {
    throw new ConfigError([
      {
        variable: 'PARTITION_INTERVAL',
        message:
          `keeps ${partitionsKept} partitions per table with TASK_RETENTION ${formatDuration(raw.TASK_RETENTION)}; ` +
          `at most ${MAX_PARTITIONS_KEPT}: choose a longer interval (got "${formatDuration(raw.PARTITION_INTERVAL)}")`,
      },
    ]);
  }
  const keepAliveDelay = raw.DB_KEEPALIVE_INITIAL_DELAY_MS;
  if (keepAliveDelay > 0 && keepAliveDelay < 1_000) {
    throw new ConfigError([
      {
        variable: 'DB_KEEPALIVE_INITIAL_DELAY_MS',
        message: `must be 0 (off) or at least 1000, as the kernel counts whole seconds (got "${keepAliveDelay}")`,
      },
    ]);
  }
  if ((raw.METRICS_USERNAME === undefined) !== (raw.METRICS_PASSWORD === undefined)) {
    throw new ConfigError([
      {
        variable: raw.METRICS_USERNAME === undefined ? 'METRICS_USERNAME' : 'METRICS_PASSWORD',
        message: 'METRICS_USERNAME and METRICS_PASSWORD must be set together',
      },
    ]);
  }
  if ((raw.BOARD_USERNAME === undefined) !== (raw.BOARD_PASSWORD === undefined)) {
    throw new ConfigError([
      {
        variable: raw.BOARD_USERNAME === undefined ? 'BOARD_USERNAME' : 'BOARD_PASSWORD',
        message: 'BOARD_USERNAME and BOARD_PASSWORD must be set together',
      },
    ]);
  }
  return deepFreeze(config);
};
