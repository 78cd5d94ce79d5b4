/**
 * The servers every scenario shares: Redis and a durable PostgreSQL, started here (and removed
 * afterwards) or given by URL. Between scenarios and runs {@link BenchServers.reset} empties
 * them, so no run pays for the rows or keys of the one before.
 */
import { once } from 'node:events';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { sql, type Kysely } from 'kysely';
import { createDatabaseIfMissing, createDb, migrateToLatest, type Database } from '@sluice/store';
import { startPostgresServer, startRedisServer, type PostgresServer, type RedisServer } from '@sluice/testkit/servers';
import { readProcStat } from './proc-stats.js';

/** The database the bench writes to, on whatever server it uses. */
export const BENCH_DATABASE = 'sluice_bench';

export interface PostgresSettings {
  readonly version: string;
  readonly fsync: string;
  readonly synchronousCommit: string;
}

export interface BenchServers {
  readonly redisUrl: string;
  readonly databaseUrl: string;
  /** The bench's own connections, for resets, drain checks and latency queries. */
  readonly redis: Redis;
  readonly db: Kysely<Database>;
  readonly postgres: PostgresSettings;
  /** Process ids for CPU accounting, when the server runs on this host. */
  readonly redisPid: number | undefined;
  readonly postmasterPid: number | undefined;
  /** Empties Redis (only the named queues on a Redis given by URL) and the tables. */
  reset(queueNames: ReadonlyArray<string>): Promise<void>;
  /** Closes the connections and stops the servers the bench started. */
  stop(): Promise<void>;
  /** SIGKILL to the servers the bench started, without waiting: for a bench that is exiting now. */
  killNow(): void;
}

export interface BenchServerOptions {
  readonly redisUrl: string | undefined;
  /** A server URL; the bench uses its database {@link BENCH_DATABASE}, not the one named. */
  readonly databaseUrl: string | undefined;
}

const withDatabase = (url: string, database: string): string => {
  const changed = new URL(url);
  changed.pathname = `/${database}`;
  return changed.toString();
};

/**
 * Starts (or connects to) both servers, creates and migrates the bench database, and confirms
 * PostgreSQL is durable as configured.
 *
 * @example
 * const servers = await startBenchServers({ redisUrl: undefined, databaseUrl: undefined });
 * await servers.reset(['bench-throughput']);
 * await servers.stop();
 */
export const startBenchServers = async (options: BenchServerOptions): Promise<BenchServers> => {
  let redisServer: RedisServer | undefined;
  let postgresServer: PostgresServer | undefined;
  const killNow = (): void => {
    void redisServer?.kill();
    void postgresServer?.kill();
  };
  try {
    // AOF on with fsync every second and PostgreSQL with fsync and synchronous commit on: the
    // settings Sluice documents for production, not a benchmark-friendly tuning.
    [redisServer, postgresServer] = await Promise.all([
      options.redisUrl === undefined ? startRedisServer() : undefined,
      options.databaseUrl === undefined ? startPostgresServer({ durable: true }) : undefined,
    ]);
    const redisUrl = redisServer?.url ?? options.redisUrl ?? '';
    const databaseUrl = withDatabase(postgresServer?.url() ?? options.databaseUrl ?? '', BENCH_DATABASE);
    const ownRedis = redisServer !== undefined;

    await createDatabaseIfMissing(databaseUrl);
    const db = createDb(databaseUrl, { poolSize: 4 });
    await migrateToLatest(db);
    const settings = await sql<PostgresSettings & { pid: number }>`
      SELECT current_setting('server_version') AS version, current_setting('fsync') AS fsync,
             current_setting('synchronous_commit') AS "synchronousCommit", pg_backend_pid() AS pid
    `.execute(db);
    const row = settings.rows[0];
    if (row === undefined) throw new Error('PostgreSQL did not answer its settings');
    // A backend's parent is the postmaster; its tree holds every backend, the WAL writer and
    // the checkpointer, which is what PostgreSQL costs.
    // A pid from a server on another host may name some unrelated process here: check the name.
    const backend = await readProcStat(row.pid);
    const postmasterPid = backend?.comm.startsWith('postgres') ? backend.ppid : undefined;

    const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
    await once(redis, 'ready');
    const info = await redis.info('server');
    const redisPidText = /process_id:(\d+)/.exec(info)?.[1];
    const redisPid = redisPidText === undefined ? undefined : Number(redisPidText);
    const redisPidHere =
      redisPid !== undefined && (await readProcStat(redisPid))?.comm.startsWith('redis') ? redisPid : undefined;

    return {
      redisUrl,
      databaseUrl,
      redis,
      db,
      postgres: { version: row.version, fsync: row.fsync, synchronousCommit: row.synchronousCommit },
      redisPid: redisPidHere,
      postmasterPid,
      reset: async (queueNames) => {
        if (ownRedis) {
          await redis.flushall();
        } else {
          for (const name of queueNames) {
            const queue = new Queue(name, { connection: redis });
            try {
              await queue.obliterate({ force: true });
            } finally {
              await queue.close();
            }
          }
        }
        await sql`TRUNCATE tasks, batches`.execute(db);
        // Vacuum and analyse now, so autovacuum does not wake up in the middle of the next run.
        await sql`VACUUM ANALYZE tasks`.execute(db);
        await sql`VACUUM ANALYZE batches`.execute(db);
      },
      stop: async () => {
        redis.disconnect();
        await db.destroy();
        await Promise.allSettled([redisServer?.stop(), postgresServer?.stop()]);
      },
      killNow,
    };
  } catch (error) {
    await Promise.allSettled([redisServer?.stop(), postgresServer?.stop()]);
    throw error;
  }
};
