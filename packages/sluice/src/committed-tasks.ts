import { createDb, createStore } from '@sluice/store';
import type { CommittedTasks } from '@sluice/tasks';

/** The committed tasks of a Sluice database, for createEnqueuer's `committed`, and its pool to close. */
export interface CommittedTasksHandle extends CommittedTasks {
  close(): Promise<void>;
}

/**
 * Reads committed tasks from the database the workers commit to (DATABASE_URL), so that an
 * enqueuer's keyed re-send finds tasks that ran long ago, as the api does. A pool of two
 * connections: one lookup per keyed submission that Redis alone cannot settle.
 *
 * @example
 * const committed = openCommittedTasks(loadConfig().databaseUrl);
 * const enqueuer = createEnqueuer({ redis, taskTypes, committed });
 */
export const openCommittedTasks = (databaseUrl: string): CommittedTasksHandle => {
  const db = createDb(databaseUrl, { poolSize: 2 });
  const store = createStore(db);
  return { findTasks: (ids) => store.findTasks(ids), close: () => db.destroy() };
};
