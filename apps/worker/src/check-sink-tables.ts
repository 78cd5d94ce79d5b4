import { isTransientError, type Store } from '@sluice/store';
import type { Catalog } from '@sluice/tasks';
import { errorFields, type Logger } from '@sluice/telemetry';
import { SinkTableError } from './sink-table-error.js';

/**
 * Checks at start that every sink table of the catalog exists, so that a forgotten migration
 * stops the worker with a message instead of failing each group of its type until the tasks run
 * out of attempts. A database that does not answer yet is no reason to refuse: the worker starts
 * anyway (its commit gate waits for the database) and says the check was skipped.
 *
 * @throws {SinkTableError} naming each missing table and the task types that write to it.
 */
export const checkSinkTables = async (
  catalog: Catalog,
  store: Pick<Store, 'missingTables'>,
  logger: Logger,
): Promise<void> => {
  const writers = new Map<string, string[]>();
  for (const name of catalog.names) {
    const table = catalog.get(name)?.sink?.table;
    if (table !== undefined) writers.set(table, [...(writers.get(table) ?? []), name]);
  }
  if (writers.size === 0) return;
  let missing: string[];
  try {
    missing = await store.missingTables([...writers.keys()]);
  } catch (error) {
    if (!isTransientError(error)) throw error;
    logger.warn('could not check the sink tables at start: the database does not answer', {
      tables: [...writers.keys()],
      ...errorFields(error),
    });
    return;
  }
  if (missing.length > 0) throw new SinkTableError(new Map(missing.map((table) => [table, writers.get(table) ?? []])));
};
