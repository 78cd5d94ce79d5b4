import { loadConfig, type Config } from '@sluice/config';
import { createDb, createStore } from '@sluice/store';
import {
  assertNoEviction,
  createCatalog,
  createRedisClient,
  isCluster,
  redisTargetOf,
  shardQueueNames,
  strandedQueues,
  type TaskType,
} from '@sluice/tasks';
import { Registry, createLogger, createMetrics, errorFields, type Logger } from '@sluice/telemetry';
import { DEFAULT_METRICS_PORT, startMetricsServer } from './metrics-server.js';
import { createPartitionMaintainer } from './partition-maintainer.js';
import { sinkTablesOf, waitForSinkTables } from './sink-tables.js';
import { createWorker } from './worker.js';

export interface StartWorkerOptions {
  /** The task types this worker runs: the same ones the api accepts. */
  readonly taskTypes: ReadonlyArray<TaskType>;
  /**
   * Every setting, as `loadConfig` returns it: build one from an object of the documented
   * variables (`loadConfig({ REDIS_URL, DATABASE_URL, BATCH_SIZE: '200' })`), which applies the
   * same defaults and checks as the process does. Default: `loadConfig({})`, every default. The
   * environment is never read here.
   */
  readonly config?: Config;
  /** Where the worker logs. Default: a logger at `config.log.level` in `config.log.format`, with the worker id. */
  readonly logger?: Logger;
  /**
   * Test-only: run right after each group's commit, before its jobs are acknowledged (the
   * worker process uses it for `FAULT_INJECTION=crash-after-commit`).
   */
  readonly afterCommit?: () => void;
}

/** A running worker. */
export interface WorkerHandle {
  /** The port of its own `/metrics` and `/livez`. */
  readonly metricsPort: number;
  /**
   * Takes no more jobs, releases every open group and waits for its commit (handlers still
   * running near the end of `config.shutdownGraceMs` see their signal abort), then closes the
   * metrics server, PostgreSQL and Redis. Bound it with a timer of your own.
   */
  close(): Promise<void>;
}

type Closer = () => Promise<void> | void;

/**
 * Starts a Sluice worker in this process: takes jobs off the queue, groups them per task type,
 * runs each group through its type's handler, and commits the results to PostgreSQL; serves its
 * own `/metrics` and `/livez`. Reads no environment, installs no signal handler and never exits
 * the process: the caller decides when to `close()`. Run the migrations first (`sluice migrate`).
 * A worker whose task types have sinks takes no job until the database has every sink table
 * (your own migration creates them): it logs which it waits for, and checks every 2 s.
 *
 * @example
 * import { loadConfig } from '@sluice/config';
 * const worker = await startWorker({ taskTypes: [hello], config: loadConfig({ METRICS_PORT: '0' }) });
 * process.once('SIGTERM', () => void worker.close());
 */
export const startWorker = async (options: StartWorkerOptions): Promise<WorkerHandle> => {
  const config = options.config ?? loadConfig({});
  const catalog = createCatalog(options.taskTypes);
  const logger =
    options.logger ??
    createLogger({
      component: 'worker',
      level: config.log.level,
      format: config.log.format,
      context: { workerId: config.workerId },
    });
  const closers: Closer[] = [];
  const closeAll = async (): Promise<void> => {
    for (const close of [...closers].reverse()) await close();
  };
  try {
    // BullMQ workers need maxRetriesPerRequest: null: their blocking commands must wait out a
    // Redis restart instead of failing, and ioredis reconnects by itself.
    const connection = createRedisClient(redisTargetOf(config), { maxRetriesPerRequest: null });
    closers.push(() => connection.disconnect());
    connection.on('error', (error: Error) => logger.warn('redis connection error', { error: error.message }));
    await assertNoEviction(connection);

    const db = createDb(config.databaseUrl, { poolSize: config.dbPoolSize, ...config.dbConnection });
    closers.push(() => db.destroy());
    const store = createStore(db);
    const metrics = createMetrics(new Registry());
    // Before the worker takes jobs: a taken port stops the start before it holds any. Closed
    // after the worker, so a scrape during the final flush still works.
    const metricsServer = await startMetricsServer({
      registry: metrics.registry,
      port: config.metricsPort ?? DEFAULT_METRICS_PORT,
      orAnyFreePort: config.metricsPort === undefined,
      ...(config.metricsAuth === undefined ? {} : { auth: config.metricsAuth }),
      onError: (error) => logger.error('collecting metrics failed', errorFields(error)),
    });
    closers.push(() => metricsServer.close());
    if (config.metricsPort === undefined && metricsServer.port !== DEFAULT_METRICS_PORT) {
      logger.warn('metrics port 9464 is taken (another worker on this host?): serving /metrics on another port', {
        metricsPort: metricsServer.port,
        hint: 'set METRICS_PORT to give each worker a known port',
      });
    }
    // Before the worker takes jobs, so its first commits find partitions ahead (the first run
    // waits for another worker's); then on a timer, one worker at a time.
    const partitions = createPartitionMaintainer({ store, settings: config.partitions, logger });
    await partitions.start();
    closers.push(() => partitions.stop());
    const sinkTables = sinkTablesOf(catalog);
    const worker = createWorker({
      config,
      connection,
      catalog,
      store,
      logger,
      metrics,
      partitions,
      autorun: sinkTables.size === 0,
      ...(options.afterCommit === undefined ? {} : { afterCommit: options.afterCommit }),
    });
    closers.push(() => worker.close());
    if (sinkTables.size > 0) {
      // Run before the worker's own close (closers run last first): a wait still going ends.
      const waiting = new AbortController();
      closers.push(() => waiting.abort());
      const run = (): void => {
        if (waiting.signal.aborted) return;
        for (const shard of worker.workers)
          shard.run().catch((error: unknown) => logger.error('worker error', errorFields(error)));
      };
      waitForSinkTables({ tables: sinkTables, store, logger, signal: waiting.signal }).then(
        (present) => present && run(),
        (error: unknown) => {
          // A check that cannot be made (not a missing table, not an outage) blocks nothing.
          logger.error('could not check the sink tables: taking jobs anyway', errorFields(error));
          run();
        },
      );
    }
    logger.info('worker started', {
      queue: config.queueName,
      shards: config.shards.consumed,
      size: config.batch.size,
      timeoutMs: config.batch.timeoutMs,
      concurrency: config.batch.concurrency,
      metricsPort: metricsServer.port,
      taskTypes: catalog.names,
    });
    // Jobs left under another QUEUE_SHARDS sit in queues whose names no process uses any more:
    // say so loudly, once, without holding up the start (it is a pass over the keyspace).
    const shardNames = shardQueueNames({
      queueName: config.queueName,
      shards: config.shards.count,
      cluster: isCluster(connection),
    });
    strandedQueues(connection, config.queueName, shardNames).then(
      (stranded) => {
        if (stranded.length === 0) return;
        logger.error('jobs wait in queues no worker consumes: QUEUE_SHARDS changed while tasks were queued', {
          stranded,
          queueShards: config.shards.count,
          hint: 'run a worker with the QUEUE_SHARDS those queues were made with until they are empty (docs/sharding.md)',
        });
      },
      (error: unknown) => logger.warn('could not look for queues left by another QUEUE_SHARDS', errorFields(error)),
    );
    let closing: Promise<void> | undefined;
    return {
      metricsPort: metricsServer.port,
      close: () => {
        closing ??= closeAll();
        return closing;
      },
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
};
