import { fileURLToPath } from 'node:url';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { Kysely } from 'kysely';
import { createDb, migrateToLatest, type Database } from '@sluice/store';
import type { JobData } from '@sluice/tasks';
import { startNodeProcess, test as base, type NodeProcess } from '@sluice/testkit';

/** The real worker entry point, run as a separate process: the specs that use it crash and stop it. */
export const WORKER_MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));

/** The retry settings these specs submit with: 4 attempts, 200 ms backoff doubling. */
export const RETRY = { maxRetries: 3, backoffDelayMs: 200 };

export interface Harness {
  readonly db: Kysely<Database>;
  readonly queue: Queue<JobData>;
  /** Starts `node dist/main.js` against this test's queue and database; stopped after the test. */
  startWorker(env?: Readonly<Record<string, string>>): Promise<NodeProcess>;
  /** The `group committed` log lines a worker printed, parsed. */
  commits(worker: NodeProcess): Array<{ size: number; duplicates: number; trigger: string }>;
}

/**
 * testkit's `test` plus a harness for worker processes: a migrated database, a queue, and
 * `dist/main.js` started on demand with short locks, so that a killed worker's jobs come back
 * within about three seconds (LOCK_DURATION_MS + STALLED_INTERVAL_MS).
 */
export const test = base.extend<{ harness: Harness }>({
  harness: async ({ redisUrl, databaseUrl, queueName }, use) => {
    const db = createDb(databaseUrl, { poolSize: 2 });
    await migrateToLatest(db);
    const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
    const queue = new Queue<JobData>(queueName, { connection });
    const started: NodeProcess[] = [];
    await use({
      db,
      queue,
      startWorker: async (env = {}) => {
        const worker = startNodeProcess(WORKER_MAIN, {
          REDIS_URL: redisUrl,
          DATABASE_URL: databaseUrl,
          QUEUE_NAME: queueName,
          WORKER_ID: `worker-${started.length + 1}`,
          // Several workers run at once here: each takes any free port for its /metrics.
          METRICS_PORT: '0',
          LOG_FORMAT: 'json',
          BACKOFF_DELAY_MS: String(RETRY.backoffDelayMs),
          BATCH_TIMEOUT_MS: '300',
          LOCK_DURATION_MS: '2000',
          STALLED_INTERVAL_MS: '1000',
          DEMO_WORK_MS: '0',
          ...env,
        });
        started.push(worker);
        await worker.waitForOutput(/worker started/);
        return worker;
      },
      commits: (worker) =>
        worker
          .output()
          .split('\n')
          .filter((line) => line.includes('"group committed"'))
          .map((line) => JSON.parse(line) as { size: number; duplicates: number; trigger: string }),
    });
    for (const worker of started) worker.kill('SIGKILL');
    await Promise.all(started.map((worker) => worker.exited));
    await queue.close();
    connection.disconnect();
    await db.destroy();
  },
});

/** Jobs not yet acknowledged: waiting, active or delayed (a completed job is removed). */
export const pendingJobs = async (queue: Queue): Promise<number> => {
  const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
  return Object.values(counts).reduce((sum, n) => sum + n, 0);
};
