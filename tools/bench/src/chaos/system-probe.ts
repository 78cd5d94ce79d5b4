import { once } from 'node:events';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { sql, type Kysely } from 'kysely';
import { createDb, type Database } from '@sluice/store';

/** BullMQ's counts of the tasks queue. */
export interface QueueCounts {
  readonly waiting: number;
  readonly active: number;
  readonly delayed: number;
  readonly prioritized: number;
  readonly completed: number;
  readonly failed: number;
}

/** Jobs that will still run: what the drain waits for. */
export const depthOf = (counts: QueueCounts): number =>
  counts.waiting + counts.active + counts.delayed + counts.prioritized;

/**
 * The run's own view of Redis and PostgreSQL, separate from the api and the workers. Its
 * questions are answered or given up on within `timeoutMs` (undefined), so a progress line or a
 * drain check never hangs while a server is down.
 */
export interface SystemProbe {
  queueCounts(): Promise<QueueCounts | undefined>;
  /** Rows in `tasks`. */
  committedCount(): Promise<number | undefined>;
  readonly queue: Queue;
  /** The probe's own Redis connection (no offline queue). */
  readonly redis: Redis;
  readonly db: Kysely<Database>;
  close(): Promise<void>;
}

export interface SystemProbeOptions {
  readonly redisUrl: string;
  readonly databaseUrl: string;
  readonly queueName: string;
  /** ms; default 2,000. */
  readonly timeoutMs?: number;
}

const within = async <T>(work: Promise<T>, ms: number): Promise<T | undefined> => {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  try {
    return await Promise.race([work.catch(() => undefined), timeout]);
  } finally {
    clearTimeout(timer);
  }
};

/**
 * Connects to both servers (which must be up) and returns the probe.
 *
 * @example
 * const probe = await createSystemProbe({ redisUrl, databaseUrl, queueName: 'tasks' });
 * const counts = await probe.queueCounts();
 * await probe.close();
 */
export const createSystemProbe = async (options: SystemProbeOptions): Promise<SystemProbe> => {
  const timeoutMs = options.timeoutMs ?? 2_000;
  // No offline queue: while Redis is down a question fails at once instead of piling up.
  const redis = new Redis(options.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  // Connection errors are expected while Redis is down; ioredis reconnects by itself.
  redis.on('error', () => undefined);
  await once(redis, 'ready');
  const queue = new Queue(options.queueName, { connection: redis });
  queue.on('error', () => undefined);
  const db = createDb(options.databaseUrl, {
    poolSize: 2,
    connectTimeoutMs: timeoutMs,
    // Expected while PostgreSQL is stopped; the next query opens a new connection.
    onIdleClientError: () => undefined,
  });
  return {
    queue,
    redis,
    db,
    queueCounts: () =>
      within(
        queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'completed', 'failed').then(
          (counts): QueueCounts => ({
            waiting: counts.waiting ?? 0,
            active: counts.active ?? 0,
            delayed: counts.delayed ?? 0,
            prioritized: counts.prioritized ?? 0,
            completed: counts.completed ?? 0,
            failed: counts.failed ?? 0,
          }),
        ),
        timeoutMs,
      ),
    committedCount: () =>
      within(
        sql<{ n: number }>`select count(*)::int as n from tasks`.execute(db).then((result) => result.rows[0]?.n ?? 0),
        timeoutMs,
      ),
    close: async () => {
      await queue.close().catch(() => undefined);
      redis.disconnect();
      await db.destroy();
    },
  };
};
