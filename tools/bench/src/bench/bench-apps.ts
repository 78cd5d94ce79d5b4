/**
 * Starting what a scenario measures: the api, Sluice workers and the plain BullMQ baseline
 * workers, each a process of its own as in production, with settings passed explicitly.
 */
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { API_NODE_OPTIONS, WORKER_NODE_OPTIONS } from '@sluice/config';
import type { RetrySettings } from '@sluice/tasks';
import { freePort } from '@sluice/testkit/servers';
import { startNodeChild, type NodeChild } from './node-child.js';

/**
 * The api's and workers' settings in every scenario unless one says otherwise: the production
 * defaults, written out so that the JSON result records them and nothing in the caller's shell
 * changes them. Logs at `warn`: a log line per group is not what is being measured.
 */
export const DEFAULT_SERVICE_ENV: Readonly<Record<string, string>> = Object.freeze({
  LOG_LEVEL: 'warn',
  LOG_FORMAT: 'json',
  BATCH_SIZE: '100',
  BATCH_TIMEOUT_MS: '3000',
  BATCH_CONCURRENCY: '4',
  BATCH_MAX_RETRIES: '3',
  BACKOFF_DELAY_MS: '1000',
  DB_POOL_SIZE: '0',
  LOCK_DURATION_MS: '15000',
  STALLED_INTERVAL_MS: '5000',
  MAX_STALLED_COUNT: '5',
  SHUTDOWN_GRACE_MS: '30000',
  DEMO_FAILURE_RATE: '0',
  DEMO_WORK_MS: '2',
  // Several workers share this host: each serves its /metrics on a free port.
  METRICS_PORT: '0',
  // The api's admission control out of the way: the bench measures the path behind it.
  QUEUE_HIGH_WATER: '1000000',
});

/**
 * The BullMQ Worker concurrency a Sluice worker runs with for these settings and one task type:
 * where `createBatchWorker` starts its Worker, size × (groups in flight + 1), and where the hold
 * budget stays with a single key (more types raise it). The baselines get the same, so that they
 * are measured with as many jobs in flight as Sluice.
 */
export const bullmqConcurrencyOf = (env: Readonly<Record<string, string>>): number =>
  Number(env.BATCH_SIZE ?? '100') * (Number(env.BATCH_CONCURRENCY ?? '4') + 1);

/**
 * The retry settings the api enqueues with for these settings, so that jobs the bench adds itself
 * carry the same options (`jobOptions` of @sluice/tasks) as the api's.
 */
export const retrySettingsOf = (env: Readonly<Record<string, string>>): RetrySettings => ({
  maxRetries: Number(env.BATCH_MAX_RETRIES ?? '3'),
  backoffDelayMs: Number(env.BACKOFF_DELAY_MS ?? '1000'),
});

export interface AppContext {
  /** The repository root: the apps run from their `dist/`. */
  readonly root: string;
  readonly redisUrl: string;
  readonly databaseUrl: string;
  /** Settings of the api and workers over {@link DEFAULT_SERVICE_ENV}. */
  readonly env: Readonly<Record<string, string>>;
  /** `node --cpu-prof` output folder, when profiling. */
  readonly cpuProfDir: string | undefined;
  /** Every child started, so the bench can kill them all if it has to exit at once. */
  readonly started: Set<NodeChild>;
}

/** The bench's own compiled files (`dist/bench/`). */
const HERE = fileURLToPath(new URL('.', import.meta.url));

/** Node flags that write a CPU profile of the process into its own folder when it exits. */
const profiling = (context: AppContext, name: string): { nodeArgs?: ReadonlyArray<string> } =>
  context.cpuProfDir === undefined
    ? {}
    : { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${join(context.cpuProfDir, name)}`] };

const track = (context: AppContext, child: NodeChild): NodeChild => {
  context.started.add(child);
  child.child.once('exit', () => context.started.delete(child));
  return child;
};

export interface RunningApi {
  readonly url: string;
  readonly child: NodeChild;
}

/**
 * Starts the api on a free port and resolves once `/readyz` answers 200.
 *
 * @example
 * const api = await startApi(context, 'bench-throughput');
 */
export const startApi = async (context: AppContext, queueName: string, label = 'api'): Promise<RunningApi> => {
  const port = await freePort();
  const child = track(
    context,
    startNodeChild({
      name: label,
      script: join(context.root, 'apps', 'api', 'dist', 'main.js'),
      cwd: context.root,
      // As in the image: the heap settings the api runs with in production (an --env NODE_OPTIONS wins).
      env: {
        NODE_OPTIONS: API_NODE_OPTIONS,
        ...context.env,
        REDIS_URL: context.redisUrl,
        DATABASE_URL: context.databaseUrl,
        QUEUE_NAME: queueName,
        PORT: String(port),
      },
      ...profiling(context, `${queueName}-${label}`),
    }),
  );
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  try {
    for (;;) {
      const status = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2_000) }).then(
        (response) => response.status,
        () => 0,
      );
      if (status === 200) return { url, child };
      if (!child.isUp()) throw new Error(`the api exited before it was ready:\n${child.tail()}`);
      if (Date.now() > deadline)
        throw new Error(`the api was not ready within 30 s (last status ${status}):\n${child.tail()}`);
      await sleep(100);
    }
  } catch (error) {
    child.killNow();
    throw error;
  }
};

/**
 * Resolves once `count` workers consume `queueName` (BullMQ names their Redis connections). When
 * they do not, it kills them before it throws: a half-started scenario leaves nothing behind.
 */
const waitForWorkers = async (
  redis: Redis,
  queueName: string,
  children: ReadonlyArray<NodeChild>,
  count: number,
): Promise<void> => {
  const queue = new Queue(queueName, { connection: redis });
  try {
    const deadline = Date.now() + 30_000;
    for (;;) {
      if ((await queue.getWorkersCount()) >= count) return;
      const dead = children.find((child) => !child.isUp());
      if (dead) throw new Error(`${dead.name} exited before it was consuming:\n${dead.tail()}`);
      if (Date.now() > deadline) {
        throw new Error(
          `${count} workers were not consuming ${queueName} within 30 s:\n${children.map((child) => child.tail()).join('\n')}`,
        );
      }
      await sleep(100);
    }
  } catch (error) {
    for (const child of children) child.killNow();
    throw error;
  } finally {
    await queue.close();
  }
};

/**
 * Starts `count` Sluice worker processes and resolves once all of them consume the queue.
 *
 * @example
 * const workers = await startSluiceWorkers(context, redis, 'bench-throughput', 2, { DEMO_WORK_MS: '0' });
 */
export const startSluiceWorkers = async (
  context: AppContext,
  redis: Redis,
  queueName: string,
  count: number,
): Promise<ReadonlyArray<NodeChild>> => {
  const children = Array.from({ length: count }, (_, index) =>
    track(
      context,
      startNodeChild({
        name: `worker-${index + 1}`,
        script: join(context.root, 'apps', 'worker', 'dist', 'main.js'),
        cwd: context.root,
        env: {
          NODE_OPTIONS: WORKER_NODE_OPTIONS,
          ...context.env,
          REDIS_URL: context.redisUrl,
          DATABASE_URL: context.databaseUrl,
          QUEUE_NAME: queueName,
          WORKER_ID: `bench-${queueName}-${index + 1}`,
        },
        ...profiling(context, `${queueName}-worker-${index + 1}`),
      }),
    ),
  );
  await waitForWorkers(redis, queueName, children, count);
  return children;
};

/** What the baseline's processor does per job. */
export type BaselineMode = 'noop' | 'insert';

/**
 * Starts one plain BullMQ worker process (see `baseline-worker.ts`) and resolves once it
 * consumes the queue.
 *
 * @example
 * const baseline = await startBaselineWorker(context, redis, 'bench-throughput', 'insert', 500);
 */
export const startBaselineWorker = async (
  context: AppContext,
  redis: Redis,
  queueName: string,
  mode: BaselineMode,
  concurrency: number,
): Promise<NodeChild> => {
  const child = track(
    context,
    startNodeChild({
      name: `bullmq-${mode}`,
      script: join(HERE, 'baseline-worker.js'),
      args: [
        '--mode',
        mode,
        '--redis-url',
        context.redisUrl,
        '--database-url',
        context.databaseUrl,
        '--queue',
        queueName,
        '--concurrency',
        String(concurrency),
      ],
      cwd: context.root,
      env: {},
      ...profiling(context, `${queueName}-bullmq-${mode}`),
    }),
  );
  await waitForWorkers(redis, queueName, [child], 1);
  return child;
};
