import { once } from 'node:events';
import { Redis } from 'ioredis';
import { ConfigError, loadConfig, untunedService } from '@sluice/config';
import { createDb, createStore } from '@sluice/store';
import { assertNoEviction, createDemoCatalog } from '@sluice/tasks';
import {
  Registry,
  createCommittedGroupMetrics,
  createLogger,
  createMetrics,
  createQueueGauge,
  errorFields,
  zeroApiSeries,
} from '@sluice/telemetry';
import { createApp } from './app.js';
import { createBackpressure } from './backpressure.js';
import { keepConnectionsAlive } from './keep-alive.js';
import { createRateLimiter } from './rate-limiter.js';
import { createTaskQueue } from './task-queue.js';

const main = async (): Promise<void> => {
  const config = loadConfig();
  const logger = createLogger({ component: 'api', level: config.log.level, format: config.log.format });
  const untuned = untunedService('api', process.execArgv, config.nodeOptions);
  if (untuned) logger.warn('started without the V8 flags Sluice is tuned and measured with', untuned);

  // No offline queue: while Redis is down a command fails at once and the client gets a 503,
  // rather than a request that hangs or a 202 for a task that was never stored.
  const redis = new Redis(config.redisUrl, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    // Reconnect at least twice a second: each attempt missed is a second of 503s after Redis is back.
    retryStrategy: (attempt: number) => Math.min(attempt * 50, 500),
  });
  redis.on('error', (error: Error) => logger.warn('redis connection error', { error: error.message }));
  await once(redis, 'ready');
  await assertNoEviction(redis);

  const db = createDb(config.databaseUrl, { poolSize: config.dbPoolSize, ...config.dbConnection });
  const store = createStore(db);
  const queue = createTaskQueue(redis, {
    queueName: config.queueName,
    retry: { maxRetries: config.batch.maxRetries, backoffDelayMs: config.batch.backoffDelayMs },
    onError: (error) => logger.warn('queue error', { error: error.message }),
  });
  const registry = new Registry();
  const metrics = createMetrics(registry);
  createQueueGauge(
    registry,
    () => queue.counts(),
    (error) => logger.warn('queue counts unavailable for /metrics', errorFields(error)),
  );
  const catalog = createDemoCatalog(config.demo);
  zeroApiSeries(metrics, catalog.names);
  createCommittedGroupMetrics(registry, {
    read: () => store.groupSizes(),
    taskTypes: catalog.names,
    onError: (error) => logger.warn('committed group counts unavailable for /metrics', errorFields(error)),
  });

  const backpressure = createBackpressure({
    highWater: config.queueHighWater,
    waitingCount: () => queue.queue.getWaitingCount(),
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
  const server = keepConnectionsAlive(app.listen(config.port), { keepAliveTimeoutMs: config.httpKeepAliveTimeoutMs });
  await once(server, 'listening');
  logger.info('api listening', { port: config.port, queue: config.queueName });

  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) {
      logger.warn('second signal: exiting now', { signal });
      process.exit(1);
    }
    stopping = true;
    logger.info('stopping', { signal });
    const force = setTimeout(() => {
      logger.error('grace period over: exiting', { graceMs: config.shutdownGraceMs });
      process.exit(1);
    }, config.shutdownGraceMs);
    force.unref();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await queue.close();
    await db.destroy();
    redis.disconnect();
    logger.info('stopped');
  };
  process.on('SIGTERM', (signal) => void stop(signal));
  process.on('SIGINT', (signal) => void stop(signal));
};

main().catch((error: unknown) => {
  if (error instanceof ConfigError) console.error(error.message);
  else console.error('api failed to start:', error);
  process.exit(1);
});
