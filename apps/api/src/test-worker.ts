import { fileURLToPath } from 'node:url';
import { startNodeProcess, type NodeProcess } from '@sluice/testkit';

/**
 * The real worker entry point. The api does not depend on the worker package: the tests run its
 * build as a separate process, as `npm start` does (apps/api/turbo.json builds it first).
 */
const WORKER_MAIN = fileURLToPath(new URL('../../worker/dist/main.js', import.meta.url));

/**
 * Starts `node apps/worker/dist/main.js` on the test's queue and database, with short timeouts so
 * groups commit quickly, and waits until it takes jobs. The caller kills it.
 */
export const startTestWorker = async (options: {
  readonly redisUrl: string;
  readonly databaseUrl: string;
  readonly queueName: string;
  readonly env?: Readonly<Record<string, string>>;
}): Promise<NodeProcess> => {
  const worker = startNodeProcess(WORKER_MAIN, {
    REDIS_URL: options.redisUrl,
    DATABASE_URL: options.databaseUrl,
    QUEUE_NAME: options.queueName,
    WORKER_ID: 'worker-test',
    LOG_FORMAT: 'json',
    BATCH_TIMEOUT_MS: '300',
    BACKOFF_DELAY_MS: '100',
    DEMO_WORK_MS: '0',
    // Any free port for the worker's own /metrics, so parallel test files never collide.
    METRICS_PORT: '0',
    ...options.env,
  });
  await worker.waitForOutput(/worker started/);
  return worker;
};
