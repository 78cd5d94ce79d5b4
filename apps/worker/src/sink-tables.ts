import { isTransientError, type Store } from '@sluice/store';
import type { Catalog } from '@sluice/tasks';
import { errorFields, type Logger } from '@sluice/telemetry';

/** Each sink table of the catalog, with the task types that write to it. */
export const sinkTablesOf = (catalog: Catalog): ReadonlyMap<string, ReadonlyArray<string>> => {
  const writers = new Map<string, string[]>();
  for (const name of catalog.names) {
    const table = catalog.get(name)?.sink?.table;
    if (table !== undefined) writers.set(table, [...(writers.get(table) ?? []), name]);
  }
  return writers;
};

export interface SinkTablesWait {
  readonly tables: ReadonlyMap<string, ReadonlyArray<string>>;
  readonly store: Pick<Store, 'missingTables'>;
  readonly logger: Logger;
  /** Stops the wait (the worker is closing); the promise then resolves `false`. */
  readonly signal: AbortSignal;
  /** Between two checks. Default 2,000 ms. */
  readonly intervalMs?: number;
  /** Between two repeats of the log line while the wait lasts. Default 30,000 ms. */
  readonly repeatLogMs?: number;
}

const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });

/**
 * Resolves `true` once the database has every sink table, checking every `intervalMs`; `false`
 * if `signal` aborts first. A worker waits for this before it takes a job: with a table missing
 * (a migration not run yet, or still running in a deploy), every group of its types would fail
 * its commit, attempt after attempt, until the tasks had none left; waiting spends none. A
 * database that does not answer is waited for the same way. It logs why it waits at once, again
 * when the reason changes, and every `repeatLogMs`, naming each missing table and its task types.
 */
export const waitForSinkTables = async (wait: SinkTablesWait): Promise<boolean> => {
  const { tables, store, logger, signal, intervalMs = 2_000, repeatLogMs = 30_000 } = wait;
  let loggedAt = Number.NEGATIVE_INFINITY;
  // Also whether it waited at all: the first problem is always logged.
  let lastMessage: string | undefined;
  while (!signal.aborted) {
    let problem: { readonly level: 'error' | 'warn'; readonly message: string; readonly fields: object };
    try {
      const missing = await store.missingTables([...tables.keys()]);
      if (missing.length === 0) {
        if (lastMessage !== undefined) logger.info('sink tables present: taking jobs', { tables: [...tables.keys()] });
        return true;
      }
      problem = {
        level: 'error',
        message: 'sink tables missing: waiting for them before taking jobs',
        fields: {
          missing: missing.map((table) => ({ table, taskTypes: tables.get(table) ?? [] })),
          hint: 'create them in the database of DATABASE_URL with your own migration: Sluice writes to a sink table but never creates it',
        },
      };
    } catch (error) {
      if (!isTransientError(error)) throw error;
      problem = {
        level: 'warn',
        message: 'database does not answer: waiting for it to check the sink tables before taking jobs',
        fields: { tables: [...tables.keys()], ...errorFields(error) },
      };
    }
    // At once when the reason changes (the database answers, but a table is missing), else
    // every `repeatLogMs`.
    if (problem.message !== lastMessage || Date.now() - loggedAt >= repeatLogMs) {
      logger[problem.level](problem.message, problem.fields);
      loggedAt = Date.now();
      lastMessage = problem.message;
    }
    await sleep(intervalMs, signal);
  }
  return false;
};
