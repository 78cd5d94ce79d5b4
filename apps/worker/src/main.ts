import { Redis } from 'ioredis';
import { ConfigError, loadConfig, untunedService } from '@sluice/config';
import { createDb, createStore } from '@sluice/store';
import { assertNoEviction, createDemoCatalog } from '@sluice/tasks';
import { Registry, createLogger, createMetrics, errorFields } from '@sluice/telemetry';
import { DEFAULT_METRICS_PORT, startMetricsServer } from './metrics-server.js';
import { createWorker } from './worker.js';

const main = async (): Promise<void> => {
  const config = loadConfig();
  const logger = createLogger({
    component: 'worker',
    level: config.log.level,
    format: config.log.format,
    context: { workerId: config.workerId },
  });
  const untuned = untunedService('worker', process.execArgv, config.nodeOptions);
  if (untuned) logger.warn('started without the V8 flags Sluice is tuned and measured with', untuned);
  // BullMQ workers need maxRetriesPerRequest: null: their blocking commands must wait out a
  // Redis restart instead of failing, and ioredis reconnects by itself.
  const connection = new Redis(config.redisUrl, { maxRetriesPerRequest: null });
  connection.on('error', (error: Error) => logger.warn('redis connection error', { error: error.message }));
  await assertNoEviction(connection);

  const db = createDb(config.databaseUrl, { poolSize: config.dbPoolSize, ...config.dbConnection });
  const store = createStore(db);
  const metrics = createMetrics(new Registry());
  // Before the worker takes jobs: a taken port stops the process before it holds any.
  const metricsServer = await startMetricsServer({
    registry: metrics.registry,
    port: config.metricsPort ?? DEFAULT_METRICS_PORT,
    orAnyFreePort: config.metricsPort === undefined,
    ...(config.metricsAuth === undefined ? {} : { auth: config.metricsAuth }),
    onError: (error) => logger.error('collecting metrics failed', errorFields(error)),
  });
  if (config.metricsPort === undefined && metricsServer.port !== DEFAULT_METRICS_PORT) {
    logger.warn('metrics port 9464 is taken (another worker on this host?): serving /metrics on another port', {
      metricsPort: metricsServer.port,
      hint: 'set METRICS_PORT to give each worker a known port',
    });
  }
  const worker = createWorker({
    config,
    connection,
    catalog: createDemoCatalog(config.demo),
    store,
    logger,
    metrics,
    ...(config.faultInjection === 'crash-after-commit'
      ? {
          // Test-only: die between commit and acknowledgement, the one window where a handler re-runs.
          afterCommit: () => {
            logger.warn('FAULT_INJECTION=crash-after-commit: killing this process after its commit');
            process.kill(process.pid, 'SIGKILL');
          },
        }
      : {}),
  });
  logger.info('worker started', {
    queue: config.queueName,
    size: config.batch.size,
    timeoutMs: config.batch.timeoutMs,
    concurrency: config.batch.concurrency,
    metricsPort: metricsServer.port,
  });

  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) {
      logger.warn('second signal: exiting without waiting for open groups', { signal });
      process.exit(1);
    }
    stopping = true;
    logger.info('stopping: flushing open groups', { signal, graceMs: config.shutdownGraceMs });
    const force = setTimeout(() => {
      logger.error('grace period over before open groups committed: exiting', { graceMs: config.shutdownGraceMs });
      process.exit(1);
    }, config.shutdownGraceMs);
    force.unref();
    await worker.close();
    // Closed last among the things it reports on, so a scrape during the final flush still works.
    await metricsServer.close();
    await db.destroy();
    connection.disconnect();
    logger.info('stopped');
  };
  process.on('SIGTERM', (signal) => void stop(signal));
  process.on('SIGINT', (signal) => void stop(signal));
};

main().catch((error: unknown) => {
  if (error instanceof ConfigError) console.error(error.message);
  else console.error('worker failed to start:', error);
  process.exit(1);
});
