import { type Job, Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { Kysely } from 'kysely';
import { loadConfig } from '@sluice/config';
import { createDb, createStore, migrateToLatest, type Database } from '@sluice/store';
import { createDemoCatalog, type Catalog, type JobData } from '@sluice/tasks';
import { Registry, createLogger, createMetrics, type Logger, type Metrics } from '@sluice/telemetry';
import { test as base, waitFor } from '@sluice/testkit';
import type { PartitionCoverage } from './partition-maintainer.js';
import { countRows, submitTasks } from './test-tasks.js';
import { createWorker } from './worker.js';

/** What a spec may change about the worker it starts; the rest is as in production. */
export interface WorkerSetup {
  readonly batch?: Partial<{ size: number; timeoutMs: number; concurrency: number }>;
  /** Default 30 s, as in production. */
  readonly shutdownGraceMs?: number;
  /** Default: the demo catalog, with no simulated failures and 1 ms of work. */
  readonly catalog?: Catalog;
  /** Default: a logger that prints errors only. */
  readonly logger?: Logger;
  /** Where the worker counts. Default: a registry of its own, without the process metrics. */
  readonly metrics?: Metrics;
  /** The partitions the worker consults (a PartitionMaintainer). Default: none, every task taken as covered. */
  readonly partitions?: PartitionCoverage;
  /** QUEUE_SHARDS and WORKER_SHARDS. Default: one shard, consumed. */
  readonly shards?: { readonly count: number; readonly consumed: ReadonlyArray<number> };
}

export interface Pipeline {
  readonly db: Kysely<Database>;
  readonly queue: Queue<JobData>;
  /** Enqueues tasks the way the api does, returning their ids. */
  submit(tasks: ReadonlyArray<{ taskType: string; payload: unknown }>): Promise<string[]>;
  /** Starts a worker in this process; closed with the fixture. */
  startWorker(setup?: WorkerSetup): ReturnType<typeof createWorker>;
  committedCount(): Promise<number>;
  /**
   * The job once it is in BullMQ's failed set, read after its state: read before, it could be
   * the job as it was during its last attempt, one attempt short.
   */
  failedJob(id: string, timeoutMs?: number): Promise<Job<JobData>>;
}

/** The retry settings every pipeline job is submitted with: 4 attempts, 200 ms backoff doubling. */
export const RETRY = { maxRetries: 3, backoffDelayMs: 200 };

/** testkit's `test` plus a pipeline: a migrated database, a queue, and workers started on demand. */
export const test = base.extend<{ pipeline: Pipeline }>({
  pipeline: async ({ redisUrl, databaseUrl, queueName }, use) => {
    const db = createDb(databaseUrl, { poolSize: 6 });
    await migrateToLatest(db);
    const producer = new Redis(redisUrl, { maxRetriesPerRequest: null });
    const queue = new Queue<JobData>(queueName, { connection: producer });
    const connections: Redis[] = [producer];
    const workers: Array<ReturnType<typeof createWorker>> = [];
    const pipeline: Pipeline = {
      db,
      queue,
      submit: (tasks) => submitTasks(queue, tasks, RETRY),
      startWorker: (setup = {}) => {
        const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
        connections.push(connection);
        const worker = createWorker({
          config: {
            queueName,
            shards: setup.shards ?? { count: 1, consumed: [0] },
            workerId: `test-worker-${workers.length + 1}`,
            batch: { size: 100, timeoutMs: 3_000, concurrency: 4, ...RETRY, ...setup.batch },
            recovery: { lockDurationMs: 15_000, stalledIntervalMs: 5_000, maxStalledCount: 5 },
            shutdownGraceMs: setup.shutdownGraceMs ?? 30_000,
            redisBounds: loadConfig({}).redisBounds,
            partitions: loadConfig({}).partitions,
          },
          connection,
          catalog: setup.catalog ?? createDemoCatalog({ failureRate: 0, workMs: 1 }),
          store: createStore(db),
          logger: setup.logger ?? createLogger({ component: 'worker', level: 'error' }),
          metrics: setup.metrics ?? createMetrics(new Registry(), { defaults: false }),
          ...(setup.partitions === undefined ? {} : { partitions: setup.partitions }),
        });
        workers.push(worker);
        return worker;
      },
      committedCount: () => countRows(db),
      failedJob: (id, timeoutMs = 60_000) =>
        waitFor(async () => ((await queue.getJobState(id)) === 'failed' ? queue.getJob(id) : undefined), {
          what: `job ${id} in the failed set`,
          timeoutMs,
        }),
    };
    await use(pipeline);
    await Promise.all(workers.map((worker) => worker.close()));
    await queue.close();
    for (const connection of connections) connection.disconnect();
    await db.destroy();
  },
});
