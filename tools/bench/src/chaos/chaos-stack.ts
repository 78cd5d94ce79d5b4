/**
 * Everything a chaos run starts: Redis (AOF, fsync on every write), a durable PostgreSQL, the
 * schema, one api and N workers. Each service's output goes to its own file in `logDir`.
 *
 * A service that exits without being told to (a crash we did not cause) is reported through
 * `onUnexpectedExit` and started again a second later, so one defect does not end the run
 * before it can be measured.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { createWriteStream, rmSync, type WriteStream } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import {
  freePort,
  startPostgresServer,
  startRedisServer,
  type PostgresServer,
  type RedisServer,
} from '@sluice/testkit/servers';
import { API_NODE_OPTIONS, loadConfig, WORKER_NODE_OPTIONS } from '@sluice/config';
import { createDatabaseIfMissing, createDb, migrateToLatest } from '@sluice/store';
import { createNodeService, type NodeService, type UnexpectedExit } from './node-service.js';

export interface ChaosStackOptions {
  /** The repository root: the api and worker are run from their `dist/`. */
  readonly root: string;
  readonly workers: number;
  /** Settings of the api and the workers. */
  readonly serviceEnv: Readonly<Record<string, string>>;
  readonly logDir: string;
  /** ms since the run started. */
  readonly clock: () => number;
  readonly onUnexpectedExit: (exit: UnexpectedExit) => void;
  /**
   * Receives, before anything starts, a function that SIGKILLs whatever has been started so far
   * without waiting: for a process that is exiting now and can no longer stop things in order.
   */
  readonly onKillSwitch?: (killNow: () => void) => void;
  /** Aborting during start-up stops what was started and rejects. */
  readonly signal?: AbortSignal;
}

export interface ChaosStack {
  readonly redis: RedisServer;
  readonly postgres: PostgresServer;
  readonly redisUrl: string;
  readonly databaseUrl: string;
  readonly apiUrl: string;
  readonly api: NodeService;
  readonly workers: ReadonlyArray<NodeService>;
  /** Stops the workers (they flush), the api, then Redis and PostgreSQL (their data is removed). */
  stop(): Promise<void>;
  /** SIGKILL to everything at once, without waiting: for a process that is exiting now. */
  killNow(): void;
}

export const QUEUE_NAME = 'tasks';
const DATABASE = 'sluice_chaos';
/** How long a worker may take to flush on SIGTERM when the stack stops, in ms. */
const STOP_GRACE_MS = 15_000;
const RESTART_AFTER_CRASH_MS = 1_000;

/** Resolves when the api answers its health check with 200 (Redis and PostgreSQL reachable). */
const waitForHealth = async (apiUrl: string, api: NodeService, timeoutMs: number): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await fetch(`${apiUrl}/actuator/health`, { signal: AbortSignal.timeout(2_000) }).then(
      (response) => response.status,
      () => 0,
    );
    if (status === 200) return;
    if (!api.isUp()) throw new Error(`the api exited before it was healthy:\n${api.tail(30)}`);
    if (Date.now() > deadline)
      throw new Error(`the api was not healthy within ${timeoutMs} ms (last status ${status}):\n${api.tail(30)}`);
    await sleep(200);
  }
};

/**
 * Starts the stack and resolves once the api is healthy and every worker has started. If any
 * step fails, what was already started is stopped before the error is thrown.
 *
 * @example
 * const stack = await startChaosStack({ root, workers: 3, serviceEnv, logDir, clock, onUnexpectedExit });
 * try { … } finally { await stack.stop(); }
 */
export const startChaosStack = async (options: ChaosStackOptions): Promise<ChaosStack> => {
  const { root, logDir, clock } = options;
  const logs: WriteStream[] = [];
  const logTo = (file: string): ((line: string) => void) => {
    const stream = createWriteStream(join(logDir, file), { flags: 'a' });
    logs.push(stream);
    return (line) => stream.write(`${line}\n`);
  };
  const closeLogs = (): Promise<void> =>
    Promise.all(logs.map((stream) => new Promise<void>((resolve) => stream.end(() => resolve())))).then(
      () => undefined,
    );

  let redis: RedisServer | undefined;
  let postgres: PostgresServer | undefined;
  const services: NodeService[] = [];
  let stopping = false;

  const killNow = (): void => {
    stopping = true;
    for (const service of services) service.killNow();
    // Both send their signal before their first await, so the signal is out when this returns.
    void redis?.kill();
    void postgres?.kill();
    // Their stop() would remove the temporary data folders; no time for that now, so remove them
    // here, synchronously. Only the folders the testkit made for us: we never pass a dataDir.
    if (redis) rmSync(redis.dataDir, { recursive: true, force: true });
    if (postgres && basename(dirname(postgres.dataDir)).startsWith('sluice-pg-')) {
      rmSync(dirname(postgres.dataDir), { recursive: true, force: true });
    }
  };
  options.onKillSwitch?.(killNow);
  const checkAborted = (): void => {
    if (options.signal?.aborted) throw new Error('the chaos run was interrupted while starting');
  };

  const stopAll = async (): Promise<void> => {
    stopping = true;
    const workers = services.filter((service) => service.name !== 'api');
    await Promise.all(workers.map((worker) => worker.stop(STOP_GRACE_MS)));
    await Promise.all(services.filter((service) => service.name === 'api').map((api) => api.stop(STOP_GRACE_MS)));
    await Promise.allSettled([redis?.stop(), postgres?.stop()]);
    await closeLogs();
  };

  try {
    [redis, postgres] = await Promise.all([
      startRedisServer({ appendfsync: 'always', onLog: logTo('redis.log') }),
      startPostgresServer({ durable: true, onLog: logTo('postgres.log') }),
    ]);
    checkAborted();
    const databaseUrl = postgres.url(DATABASE);
    await createDatabaseIfMissing(databaseUrl);
    const db = createDb(databaseUrl, { poolSize: 1 });
    try {
      // Partitions cut as the services will keep them (PARTITION_INTERVAL, TASK_RETENTION).
      await migrateToLatest(db, { partitions: loadConfig(options.serviceEnv).partitions });
    } finally {
      await db.destroy();
    }

    const port = await freePort();
    const apiUrl = `http://127.0.0.1:${port}`;
    // The children get this environment and nothing of ours: a QUEUE_NAME or BATCH_SIZE left
    // in the caller's shell must not change what the run measures.
    const baseEnv = {
      REDIS_URL: redis.url,
      DATABASE_URL: databaseUrl,
      QUEUE_NAME: QUEUE_NAME,
      LOG_FORMAT: 'json',
      LOG_LEVEL: 'info',
      // Every worker serves /metrics on METRICS_PORT (default 9464); on one host each needs its own.
      METRICS_PORT: '0',
      ...options.serviceEnv,
    };
    const onUnexpectedExit = (exit: UnexpectedExit): void => {
      if (stopping) return;
      options.onUnexpectedExit(exit);
      const service = services.find((candidate) => candidate.name === exit.service);
      setTimeout(() => {
        if (!stopping && service !== undefined && !service.isUp()) service.start();
      }, RESTART_AFTER_CRASH_MS);
    };
    const api = createNodeService({
      name: 'api',
      entry: join(root, 'apps', 'api', 'dist', 'main.js'),
      cwd: root,
      env: () => ({ NODE_OPTIONS: API_NODE_OPTIONS, ...baseEnv, PORT: String(port) }),
      logFile: join(logDir, 'api.log'),
      clock,
      onUnexpectedExit,
    });
    services.push(api);
    const workers = Array.from({ length: options.workers }, (_, index) =>
      createNodeService({
        name: `worker-${index + 1}`,
        entry: join(root, 'apps', 'worker', 'dist', 'main.js'),
        cwd: root,
        // Port 0: each worker's own metrics server takes any free port, so three share a host.
        env: (generation) => ({
          NODE_OPTIONS: WORKER_NODE_OPTIONS,
          ...baseEnv,
          METRICS_PORT: '0',
          WORKER_ID: `chaos-w${index + 1}-g${generation}`,
        }),
        logFile: join(logDir, `worker-${index + 1}.log`),
        clock,
        onUnexpectedExit,
      }),
    );
    services.push(...workers);

    checkAborted();
    api.start();
    await waitForHealth(apiUrl, api, 30_000);
    checkAborted();
    for (const worker of workers) worker.start();
    await Promise.all(workers.map((worker) => worker.waitForLog('worker started', 30_000)));
    checkAborted();

    const startedRedis = redis;
    const startedPostgres = postgres;
    return {
      redis: startedRedis,
      postgres: startedPostgres,
      redisUrl: startedRedis.url,
      databaseUrl,
      apiUrl,
      api,
      workers,
      stop: stopAll,
      killNow,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
};
