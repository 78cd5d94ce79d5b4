import type { DevstackConfig } from '@sluice/config';
import { startPostgresServer, startRedisServer, type PostgresServer, type RedisServer } from '@sluice/testkit/servers';
import type { DataDirs } from './data-dirs.js';
import { DevstackError } from './devstack-error.js';
import type { LogStream } from './log-stream.js';
import { preferredPort } from './ports.js';
import { createPostgresLineFilter, redisLineMatters } from './service-log-filters.js';

/** Used when free, so `redis-cli -p 6390` and `psql -p 5438` work from run to run. */
export const LOCAL_REDIS_PORT = 6390;
export const LOCAL_POSTGRES_PORT = 5438;
export const DATABASE_NAME = 'sluice';

/** A stopping server gets this long before it is killed. Both normally take well under a second. */
const STOP_TIMEOUT_MS = 15_000;

/** One backing service as the banner describes it. */
export interface ServiceInfo {
  readonly name: 'redis' | 'postgres';
  readonly url: string;
  /** Where its data lives when we run it; absent when the user brought their own. */
  readonly dataDir?: string;
}

/** Redis and PostgreSQL for the stack: the user's own, or local ones we run. */
export interface Services {
  readonly redisUrl: string;
  readonly databaseUrl: string;
  readonly info: ReadonlyArray<ServiceInfo>;
  /** Stops the servers we started (PostgreSQL and Redis at once); the user's are left alone. */
  stop(): Promise<void>;
}

export interface ServicesOptions {
  readonly config: DevstackConfig;
  readonly dirs: DataDirs;
  readonly log: LogStream;
}

/** Whether `config` leaves any service for us to run, so the caller knows to take the lock. */
export const needsLocalServices = (config: DevstackConfig): boolean =>
  config.redisUrl === undefined || config.databaseUrl === undefined;

const startRedis = async (options: ServicesOptions): Promise<RedisServer> => {
  const { config, dirs, log } = options;
  try {
    return await startRedisServer({
      dataDir: dirs.redisDir,
      port: await preferredPort(LOCAL_REDIS_PORT),
      ...(config.redisServerBin === undefined ? {} : { binary: config.redisServerBin }),
      onLog: (line) => {
        if (redisLineMatters(line)) log.line('redis', line, 'warn');
      },
    });
  } catch (error) {
    const configured =
      config.redisServerBin === undefined ? '' : ` (REDIS_SERVER_BIN is ${JSON.stringify(config.redisServerBin)})`;
    throw new DevstackError(`Could not start a local Redis${configured}: ${(error as Error).message}`);
  }
};

const startPostgres = async (options: ServicesOptions): Promise<PostgresServer> => {
  const { dirs, log } = options;
  const keep = createPostgresLineFilter();
  try {
    return await startPostgresServer({
      dataDir: dirs.postgresDir,
      port: await preferredPort(LOCAL_POSTGRES_PORT),
      onLog: (line) => {
        // On a first run the migrate script tries the database before creating it; PostgreSQL
        // logs that try as FATAL, which is expected and would only alarm.
        if (line.includes(`FATAL:  database "${DATABASE_NAME}" does not exist`)) return;
        if (keep(line)) log.line('postgres', line, 'warn');
      },
    });
  } catch (error) {
    throw new DevstackError(`Could not start the embedded PostgreSQL: ${(error as Error).message}`);
  }
};

/** Stops one server, and kills it if a clean stop hangs, so Ctrl-C always ends. */
const stopOrKill = async (
  name: string,
  server: { stop(): Promise<void>; kill(): Promise<void> },
  log: LogStream,
): Promise<void> => {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), STOP_TIMEOUT_MS);
  });
  try {
    const result = await Promise.race([server.stop().then(() => 'stopped' as const), timedOut]);
    if (result === 'timeout') {
      log.line('devstack', `${name} did not stop within ${STOP_TIMEOUT_MS / 1000} s — killing it`, 'warn');
      await server.kill();
    } else {
      log.line('devstack', `${name} stopped`);
    }
  } catch (error) {
    log.line('devstack', `${name} did not stop cleanly: ${(error as Error).message}`, 'warn');
    await server.kill().catch(() => undefined);
  } finally {
    clearTimeout(timer);
  }
};

/**
 * Starts whichever of Redis and PostgreSQL the user did not configure (both at once: initdb is
 * the slow part of a first run) and resolves once they accept connections. If one fails, the
 * other is stopped before the error is thrown.
 *
 * @example
 * const services = await startServices({ config, dirs, log });
 * // … services.redisUrl, services.databaseUrl …
 * await services.stop();
 */
export const startServices = async (options: ServicesOptions): Promise<Services> => {
  const { config, log } = options;
  const [redis, postgres] = await Promise.allSettled([
    config.redisUrl === undefined ? startRedis(options) : Promise.resolve(undefined),
    config.databaseUrl === undefined ? startPostgres(options) : Promise.resolve(undefined),
  ]);
  const failures = [redis, postgres].filter((result) => result.status === 'rejected');
  if (failures.length > 0) {
    if (redis.status === 'fulfilled' && redis.value) await stopOrKill('redis', redis.value, log);
    if (postgres.status === 'fulfilled' && postgres.value) await stopOrKill('postgres', postgres.value, log);
    const messages = failures.map((failure) => String((failure.reason as Error).message ?? failure.reason));
    throw new DevstackError(messages.join('\n\n'));
  }
  const redisServer = redis.status === 'fulfilled' ? redis.value : undefined;
  const postgresServer = postgres.status === 'fulfilled' ? postgres.value : undefined;

  const redisUrl = config.redisUrl ?? redisServer?.url;
  const databaseUrl = config.databaseUrl ?? postgresServer?.url(DATABASE_NAME);
  if (redisUrl === undefined || databaseUrl === undefined) {
    // Unreachable: each URL is either configured or comes from the server just started.
    throw new Error('startServices: a service URL is missing');
  }
  return {
    redisUrl,
    databaseUrl,
    info: [
      redisServer ? { name: 'redis', url: redisUrl, dataDir: redisServer.dataDir } : { name: 'redis', url: redisUrl },
      postgresServer
        ? { name: 'postgres', url: databaseUrl, dataDir: postgresServer.dataDir }
        : { name: 'postgres', url: databaseUrl },
    ],
    stop: async () => {
      await Promise.all([
        postgresServer ? stopOrKill('postgres', postgresServer, log) : undefined,
        redisServer ? stopOrKill('redis', redisServer, log) : undefined,
      ]);
    },
  };
};
