import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { createDb, createStore, migrateToLatest, type PartitionSettings } from '@sluice/store';
import {
  createDemoCatalog,
  createTaskQueue,
  EXTRA_TASKS_KEY,
  tasksIn,
  type Catalog,
  type RetrySettings,
  type TaskQueue,
} from '@sluice/tasks';
import { Registry, createLogger, createMetrics } from '@sluice/telemetry';
import { createApp } from './app.js';
import type { Backpressure } from './backpressure.js';
import type { BoardSettings } from './bull-board.js';
import { createRateLimiter } from './rate-limiter.js';

export interface TestApi {
  readonly url: string;
  readonly queue: TaskQueue;
  /** Jobs in the queue in any state. */
  jobCount(): Promise<number>;
  /**
   * Tasks in the queue in any state, alone or in parcels: the jobs plus the tasks parcels carry
   * beyond one (the counter QUEUE_HIGH_WATER reads). With no worker running, every task enqueued.
   */
  taskCount(): Promise<number>;
  /** Tasks in the waiting jobs, alone or in parcels, by task type. */
  waitingTasks(): Promise<Readonly<Record<string, number>>>;
  close(): Promise<void>;
}

/** Where the rate limiter of an api over `queueName` keeps its counters (as main.ts does). */
export const rateLimitPrefix = (queueName: string): string => `sluice:rl:${queueName}`;

/** The real api on a random port, over the test's own Redis queue and database. */
export const startTestApi = async (options: {
  readonly redisUrl: string;
  readonly databaseUrl: string;
  readonly queueName: string;
  /** Bull Board's login and read-only mode; default: no login, not read-only. */
  readonly board?: BoardSettings;
  /** Listen on this port rather than a random one (to restart an api where a page expects it). */
  readonly port?: number;
  /** Builds the backpressure check over the api's queue; default: none. */
  readonly backpressure?: (queue: TaskQueue) => Backpressure;
  /** Bearer keys /api requires; default none. */
  readonly apiKeys?: ReadonlyArray<string>;
  /**
   * Requests per window per client on /api, counted in Redis under the queue's name, so two test
   * apis over one queue share a budget; default: unlimited.
   */
  readonly rateLimit?: { readonly points: number; readonly windowSeconds: number };
  /** Basic credentials for the metrics endpoints; default: open. */
  readonly metricsAuth?: { readonly username: string; readonly password: string };
  /**
   * Wraps the queue the routes use (the returned `queue` stays the plain one), so a test can
   * break a real server at an exact point of a request; default: the plain queue.
   */
  readonly wrapQueue?: (queue: TaskQueue) => TaskQueue;
  /** The task types the api accepts; default: the demo catalog. */
  readonly catalog?: Catalog;
  /** BATCH_MAX_RETRIES and BACKOFF_DELAY_MS the api enqueues with; default 3 retries, 100 ms. */
  readonly retry?: RetrySettings;
  /** PARTITION_INTERVAL and TASK_RETENTION the database is migrated with; default: the defaults. */
  readonly partitions?: PartitionSettings;
  /** QUEUE_SHARDS: queues the tasks spread over; default 1. */
  readonly shards?: number;
}): Promise<TestApi> => {
  const redis = new Redis(options.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  redis.on('error', () => undefined);
  await once(redis, 'ready');
  const db = createDb(options.databaseUrl, { poolSize: 4 });
  await migrateToLatest(db, options.partitions === undefined ? {} : { partitions: options.partitions });
  const store = createStore(db);
  const catalog = options.catalog ?? createDemoCatalog({ failureRate: 0, workMs: 0 });
  // BATCH_SIZE's default, as the api has it unless told otherwise.
  const queue = createTaskQueue(redis, {
    queueName: options.queueName,
    ...(options.shards === undefined ? {} : { shards: options.shards }),
    retry: options.retry ?? { maxRetries: 3, backoffDelayMs: 100 },
    catalog,
    defaultBatchSize: 100,
    // EVENTS_MAX_LEN's default, written into the queue's settings as the api does.
    eventsMaxLen: 10_000,
  });
  const registry = new Registry();
  const app = createApp({
    catalog,
    queue: options.wrapQueue?.(queue) ?? queue,
    store,
    metrics: createMetrics(registry, { defaults: false }),
    registry,
    logger: createLogger({ component: 'api', level: 'error' }),
    ...(options.board === undefined ? {} : { board: options.board }),
    ...(options.backpressure === undefined ? {} : { backpressure: options.backpressure(queue) }),
    ...(options.apiKeys === undefined ? {} : { apiKeys: options.apiKeys }),
    ...(options.metricsAuth === undefined ? {} : { metricsAuth: options.metricsAuth }),
    ...(options.rateLimit === undefined
      ? {}
      : {
          rateLimiter: createRateLimiter(redis, {
            ...options.rateLimit,
            keyPrefix: rateLimitPrefix(options.queueName),
          }),
        }),
    checks: [
      { name: 'redis', check: () => queue.ping() },
      { name: 'db', check: () => store.ping() },
    ],
  });
  const server = app.listen(options.port ?? 0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const jobCount = async () => Object.values(await queue.counts()).reduce((a, b) => a + b, 0);
  return {
    url: `http://127.0.0.1:${port}`,
    queue,
    jobCount,
    taskCount: async () => {
      const extra = await Promise.all(queue.queues.map((shard) => redis.get(shard.toKey(EXTRA_TASKS_KEY))));
      return (await jobCount()) + extra.reduce((sum, count) => sum + Number(count ?? 0), 0);
    },
    waitingTasks: async () => {
      const byType: Record<string, number> = {};
      for (const shard of queue.queues)
        for (const job of await shard.getWaiting(0, -1)) byType[job.name] = (byType[job.name] ?? 0) + tasksIn(job.data);
      return byType;
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await queue.close();
      await db.destroy();
      redis.disconnect();
    },
  };
};
