import { createBatchWorker, type BatchWorker } from '@sluice/batching';
import type { Config } from '@sluice/config';
import type { Store } from '@sluice/store';
import { createGroupGauges, type Logger, type Metrics } from '@sluice/telemetry';
import type { Catalog, JobData, Json } from '@sluice/tasks';
import type { Redis } from 'ioredis';
import { createGroupProcessor } from './group-processor.js';

export interface WorkerDeps {
  readonly config: Pick<Config, 'queueName' | 'batch' | 'workerId'>;
  /** A connection with `maxRetriesPerRequest: null`, as BullMQ workers require. */
  readonly connection: Redis;
  readonly catalog: Catalog;
  readonly store: Pick<Store, 'commitGroup'>;
  readonly logger: Logger;
  readonly metrics: Metrics;
}

/**
 * A Sluice worker: a BatchWorker over the tasks queue whose groups (one per task type) run
 * through the catalog's handlers and commit to the store. Starts consuming at once.
 *
 * @example
 * const worker = createWorker({ config, connection, catalog, store, logger, metrics });
 * await worker.close(); // flushes open groups, waits for their commits
 */
export const createWorker = (deps: WorkerDeps): BatchWorker<JobData, Json> => {
  const { config, metrics, logger } = deps;
  const processGroup = createGroupProcessor({
    catalog: deps.catalog,
    store: deps.store,
    workerId: config.workerId,
    metrics,
    logger,
  });
  const worker = createBatchWorker<JobData, Json>({
    queueName: config.queueName,
    connection: deps.connection,
    size: config.batch.size,
    timeoutMs: config.batch.timeoutMs,
    concurrency: config.batch.concurrency,
    processGroup,
    observer: {
      onRelease: (group) => {
        metrics.groupFlushes.inc({ task_type: group.key, trigger: group.trigger });
        metrics.groupSize.observe({ task_type: group.key }, group.items.length);
      },
    },
  });
  createGroupGauges(metrics.registry, () => worker.snapshot);
  worker.worker.on('error', (error: Error) => logger.error('worker error', { error: error.message, stack: error.stack }));
  worker.worker.on('failed', (job, error) => {
    if (job && job.attemptsMade >= (job.opts.attempts ?? 1)) {
      logger.warn('task failed for good', { taskId: job.id, taskType: job.name, attempts: job.attemptsMade, error: error.message });
    }
  });
  return worker;
};
