import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { test as base, startNodeProcess } from '@sluice/testkit';
import { loadConfig, startApi, startWorker, type ApiHandle, type WorkerHandle } from 'sluice';
import type { FetchLike } from './fetch-like.js';
import { taskTypes } from './test-task-types.js';

/** Settings as the documented environment variables name them (`QUEUE_HIGH_WATER`, `API_KEYS`, …). */
export type Settings = Readonly<Record<string, string>>;

/** The real Sluice a spec talks to, over the test's own Redis queue and migrated database. */
export interface SluiceFixture {
  /** Starts the api on a free port of 127.0.0.1 (or `PORT`), with `settings` over the test's. */
  startApi(settings?: Settings): Promise<ApiHandle>;
  /** Starts a worker in this process: groups are released after 20 ms, so tasks commit soon. */
  startWorker(settings?: Settings): Promise<WorkerHandle>;
}

// The command `npx sluice` runs: the bin of the `sluice` package, next to its main module.
const SLUICE_BIN = join(dirname(createRequire(import.meta.url).resolve('sluice')), 'bin', 'sluice.js');

/** `sluice migrate`, as a user prepares a database. */
const migrate = async (databaseUrl: string): Promise<void> => {
  const child = startNodeProcess(SLUICE_BIN, { DATABASE_URL: databaseUrl }, { args: ['migrate'] });
  const { code } = await child.exited;
  if (code !== 0) throw new Error(`sluice migrate exited with ${code}:\n${child.output()}`);
};

/**
 * vitest's `test` with a `sluice` fixture: the api and workers a spec starts through it run the
 * spec's task types (test-task-types.ts) and are closed after the spec, workers first.
 */
export const test = base.extend<{ sluice: SluiceFixture }>({
  sluice: async ({ redisUrl, databaseUrl, queueName }, use) => {
    await migrate(databaseUrl);
    const running: Array<{ close(): Promise<void> }> = [];
    const config = (settings: Settings) =>
      loadConfig({
        REDIS_URL: redisUrl,
        DATABASE_URL: databaseUrl,
        QUEUE_NAME: queueName,
        LOG_LEVEL: 'error',
        ...settings,
      });
    await use({
      startApi: async (settings = {}) => {
        const api = await startApi({ taskTypes, config: config({ PORT: '0', ...settings }), host: '127.0.0.1' });
        running.push(api);
        return api;
      },
      startWorker: async (settings = {}) => {
        const worker = await startWorker({
          taskTypes,
          config: config({ BATCH_TIMEOUT_MS: '20', METRICS_PORT: '0', SHUTDOWN_GRACE_MS: '1000', ...settings }),
        });
        running.push(worker);
        return worker;
      },
    });
    for (const handle of running.reverse()) await handle.close();
  },
});

/** One request a client sent, as the recording fetch saw it. */
export interface Exchange {
  readonly method: string;
  readonly path: string;
  readonly idempotencyKey: string | undefined;
  /** The answer's status, or `network-error` when fetch threw. */
  readonly outcome: number | 'network-error';
}

/**
 * A `fetch` for the client's `fetch` option that sends each request to the real api with the
 * global fetch, and records it. `onExchange` runs before the client sees the outcome, so a spec
 * can change the world in between (start a worker, start the api, abort).
 */
export const recordingFetch = (onExchange: (exchange: Exchange) => Promise<void> | void = () => undefined) => {
  const exchanges: Exchange[] = [];
  const fetch: FetchLike = async (url, init) => {
    const seen = { method: init.method, path: new URL(url).pathname, idempotencyKey: init.headers['idempotency-key'] };
    let response: Response;
    try {
      response = await globalThis.fetch(url, init);
    } catch (error) {
      const exchange = { ...seen, outcome: 'network-error' } as const;
      exchanges.push(exchange);
      await onExchange(exchange);
      throw error;
    }
    const exchange = { ...seen, outcome: response.status };
    exchanges.push(exchange);
    await onExchange(exchange);
    return response;
  };
  return { fetch, exchanges: exchanges as ReadonlyArray<Exchange> };
};

/**
 * `start` made idempotent: the first call runs it, every later call waits for that same run, so
 * a recording fetch can start the api or a worker on the first failure it sees and no other.
 */
export const onlyOnce = <T>(start: () => Promise<T>): (() => Promise<T>) => {
  let started: Promise<T> | undefined;
  return () => {
    started ??= start();
    return started;
  };
};
