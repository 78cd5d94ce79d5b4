import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { loadConfig, type Config } from '@sluice/config';
import { createDb, createStore } from '@sluice/store';
import {
  assertNoEviction,
  createCatalog,
  createRedisClient,
  createTaskQueue,
  placementProblem,
  redisTargetOf,
  shardPlacement,
  type TaskType,
} from '@sluice/tasks';
import {
  Registry,
  createCommittedGroupMetrics,
  createLogger,
  createMetrics,
  createQueueGauge,
  createPartitionsGauge,
  createRedisMemoryGauge,
  errorFields,
  zeroApiSeries,
  type Logger,
} from '@sluice/telemetry';
import { createApp } from './app.js';
import { createBackpressure } from './backpressure.js';
import { keepConnectionsAlive } from './keep-alive.js';
import { createRateLimiter } from './rate-limiter.js';
import { readRedisMemory } from './redis-memory.js';

export interface StartApiOptions {
  /**
   * The task types the api accepts: each submission's `taskType` must name one and its payload
   * match that type's schema. The workers must run the same ones.
   */
  readonly taskTypes: ReadonlyArray<TaskType>;
  /**
   * Every setting, as `loadConfig` returns it: build one from an object of the documented
   * variables (`loadConfig({ REDIS_URL, DATABASE_URL, PORT: '0' })`), which applies the same
   * defaults and checks as the process does. Default: `loadConfig({})`, every default (Redis and
   * PostgreSQL on localhost, port 8038). The environment is never read here.
   */
  readonly config?: Config;
  /** Where the api logs. Default: a logger at `config.log.level` in `config.log.format`. */
  readonly logger?: Logger;
  /** The address to listen on. Default: every interface, as the api process does. */
  readonly host?: string;
}

/** A running api. */
export interface ApiHandle {
  /** The port it listens on: `config.port`, or the one picked for port 0. */
  readonly port: number;
  /** `http://127.0.0.1:<port>`, or the host it was told to listen on. */
  readonly url: string;
  /**
   * Stops taking connections, waits for the requests in flight, then closes Redis and the
   * PostgreSQL pool. Tasks already accepted are in Redis, where the workers take them.
   */
  close(): Promise<void>;
}

/** What startApi opened so far, closed in reverse when a later step fails or on close(). */
type Closer = () => Promise<void> | void;

const closeAll = async (closers: ReadonlyArray<Closer>): Promise<void> => {
  for (const close of [...closers].reverse()) await close();
};

/**
 * Starts the Sluice api in this process: connects to Redis (refusing one that may evict) and
 * PostgreSQL, and serves task submission and queries, the dashboard, Bull Board, metrics and
 * health for `taskTypes`. Reads no environment, installs no signal handler and never exits the
 * process: the caller decides when to `close()`. Run the migrations first (`sluice migrate`).
 *
 * @example
 * import { loadConfig } from '@sluice/config';
 * const api = await startApi({ taskTypes: [hello], config: loadConfig({ PORT: '8038' }) });
 * process.once('SIGTERM', () => void api.close());
 */
export const startApi = async (options: StartApiOptions): Promise<ApiHandle> => {
  const config = options.config ?? loadConfig({});
  const catalog = createCatalog(options.taskTypes);
  const logger =
    options.logger ?? createLogger({ component: 'api', level: config.log.level, format: config.log.format });
  const closers: Closer[] = [];
  try {
    // No offline queue: while Redis is down a command fails at once and the client gets a 503,
    // rather than a request that hangs or a 202 for a task that was never stored.
    const redis = createRedisClient(redisTargetOf(config), {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      // Reconnect at least twice a second: each attempt missed is a second of 503s after Redis is back.
      retryStrategy: (attempt: number) => Math.min(attempt * 50, 500),
    });
    closers.push(() => redis.disconnect());
    redis.on('error', (error: Error) => logger.warn('redis connection error', { error: error.message }));
    await once(redis, 'ready');
    await assertNoEviction(redis);

    const db = createDb(config.databaseUrl, { poolSize: config.dbPoolSize, ...config.dbConnection });
    closers.push(() => db.destroy());
    const store = createStore(db);
    const queue = createTaskQueue(redis, {
      queueName: config.queueName,
      shards: config.shards.count,
      retry: { maxRetries: config.batch.maxRetries, backoffDelayMs: config.batch.backoffDelayMs },
      catalog,
      defaultBatchSize: config.batch.size,
      failedJobs: config.redisBounds.failedJobs,
      eventsMaxLen: config.redisBounds.eventsMaxLen,
      onError: (error) => logger.warn('queue error', { error: error.message }),
    });
    closers.push(() => queue.close());
    const registry = new Registry();
    const metrics = createMetrics(registry);
    createQueueGauge(
      registry,
      () => queue.shardCounts(),
      (error) => logger.warn('queue counts unavailable for /metrics', errorFields(error)),
    );
    createRedisMemoryGauge(
      registry,
      () => readRedisMemory(redis),
      (error) => logger.warn('Redis memory unavailable for /metrics', errorFields(error)),
    );
    createPartitionsGauge(
      registry,
      async () => {
        const { tasks, batches } = await store.partitions();
        return { tasks: tasks.length, batches: batches.length };
      },
      (error) => logger.warn('partition counts unavailable for /metrics', errorFields(error)),
    );
    zeroApiSeries(metrics, catalog.names);
    createCommittedGroupMetrics(registry, {
      read: () => store.groupSizes(),
      taskTypes: catalog.names,
      onError: (error) => logger.warn('committed group counts unavailable for /metrics', errorFields(error)),
    });

    const backpressure = createBackpressure({
      highWater: config.queueHighWater,
      waitingCount: () => queue.waitingTasks(),
    });
    const app = createApp({
      backpressure,
      catalog,
      queue,
      store,
      metrics,
      registry,
      logger,
      board: config.board,
      apiKeys: config.apiKeys,
      ...(config.metricsAuth === undefined ? {} : { metricsAuth: config.metricsAuth }),
      // RATE_LIMIT_POINTS=0 (the default) means no limiter at all, not one that never says no:
      // an unlimited api pays no Redis call per request.
      ...(config.rateLimit.points === 0
        ? {}
        : {
            rateLimiter: createRateLimiter(redis, {
              ...config.rateLimit,
              // Per queue name, like BullMQ's own keys: deployments sharing a Redis keep apart budgets.
              keyPrefix: `sluice:rl:${config.queueName}`,
            }),
          }),
      checks: [
        { name: 'redis', check: () => queue.ping() },
        { name: 'db', check: () => store.ping() },
      ],
    });
    const server = keepConnectionsAlive(
      options.host === undefined ? app.listen(config.port) : app.listen(config.port, options.host),
      { keepAliveTimeoutMs: config.httpKeepAliveTimeoutMs },
    );
    closers.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    await Promise.race([once(server, 'listening'), once(server, 'error').then(([error]) => Promise.reject(error))]);
    const { port } = server.address() as AddressInfo;
    logger.info('api listening', {
      port,
      queue: config.queueName,
      shards: queue.queues.length,
      taskTypes: catalog.names,
    });
    // Where the shards sit, once: a cluster laid out unevenly works, but puts more on some
    // primaries. Only a log line, so a failure to read the slots does not stop the api.
    await shardPlacement(
      redis,
      queue.queues.map(({ name }) => name),
    ).then(
      (placement) => {
        const problem = placementProblem(placement);
        if (problem === undefined) logger.info('queue shards placed', { placement });
        else logger.warn(problem, { placement });
      },
      (error: unknown) => logger.warn('could not read where the queue shards sit', errorFields(error)),
    );
    let closing: Promise<void> | undefined;
    return {
      port,
      url: `http://${options.host ?? '127.0.0.1'}:${port}`,
      close: () => {
        closing ??= closeAll(closers);
        return closing;
      },
    };
  } catch (error) {
    await closeAll(closers);
    throw error;
  }
};
