import type { Kysely } from 'kysely';
import { isMissingPartitionError, MissingPartitionError } from '../missing-partition-error.js';
import type { Database } from '../schema.js';
import { checkGroup } from './check-group.js';
import { checkSink } from './check-sink.js';
import type { CommitResult, GroupBatch, GroupCommit } from './group-commit.js';
import { blamesTaskRows, isolatePoison } from './isolate-poison.js';
import { toTaskValues, type TaskValues } from './task-values.js';
import { writeGroup } from './write-group.js';

const byId = <T extends { readonly id: string }>(a: T, b: T): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** The one-statement write, or poison isolation when PostgreSQL refuses it for its task rows. */
const writeOrIsolate = async (
  db: Kysely<Database>,
  batch: GroupBatch,
  rows: ReadonlyArray<TaskValues>,
  sinkTable: string | undefined,
): Promise<CommitResult> => {
  try {
    const written = await writeGroup(db, batch, rows, undefined, sinkTable);
    return {
      inserted: written.inserted,
      duplicates: written.duplicates,
      committedAt: written.committed_at,
      rejected: [],
      written: written.written_ids,
    };
  } catch (error) {
    // Not the data: halving the group would only find every row of that time refused in turn.
    if (isMissingPartitionError(error)) throw new MissingPartitionError({ cause: error });
    if (rows.length === 0 || !blamesTaskRows(error)) throw error;
    return isolatePoison(db, batch, rows, error, sinkTable);
  }
};

/**
 * Writes a group's task rows and its batch row, normally with one SQL statement: one round
 * trip, atomic on its own, no BEGIN/COMMIT. `ON CONFLICT (id, submitted_at) DO NOTHING` skips a task whose
 * row already exists (BullMQ redelivered it after a crash between commit and acknowledgement,
 * or ran it again after its worker lost the lock), and the batch row counts only what was
 * really written. {@link CommitResult.written} lists the ids written, so the caller can tell
 * which of its tasks were duplicates and settle those as their existing rows say.
 *
 * **A sink.** With a `sinkTable`, the sink rows of each task go into that table in the same
 * statement, for exactly the task rows it newly wrote (see `sinkInserts`): a redelivered group
 * adds none, so the user's table gets each completed task's rows once with no unique key of its
 * own. A sink row PostgreSQL refuses for its data is a poison row like any other: its task
 * becomes a FAILED row (no sink rows) with the database's message, and the rest land.
 *
 * **Poison isolation.** When PostgreSQL refuses that statement for its data (SQLSTATE class
 * 22, such as a `\u0000` escape in a payload, or class 23, such as a check constraint), nothing
 * was written, and the group is committed again in one transaction: the rows are split in
 * halves under savepoints until only the refused ones are left. Every good row is written as
 * given; each refused one is written as a FAILED row with no payload and no result, its
 * `error` reading `rejected by PostgreSQL (22P05): unsupported Unicode escape sequence`, and is
 * listed in {@link CommitResult.rejected}. There is still exactly one batch row, counting the
 * whole group. For a group of 100 with 3 bad rows this takes at most 43 writes in all, the
 * refused one included (measured: see the package README).
 *
 * A row whose time has no partition (older than the oldest, newer than the newest) fails the
 * whole commit with {@link MissingPartitionError}, and nothing was written.
 *
 * Any other error (a lost connection, a deadlock, a timeout: see `isTransientError`) is thrown
 * as it came, and nothing was written; so is a refusal of the batch row itself.
 *
 * Rows are sent in id order so two commits that overlap take their row locks in the same
 * order and cannot deadlock. `committed_at` is `now()`, the start of the transaction, the
 * same on the batch row and every task row.
 *
 * @throws {InvalidArgumentError} before sending anything, for a batch row PostgreSQL would
 *   refuse (see `checkGroup`), a task id that is not a UUID, an invalid Date, or a payload or
 *   result that cannot be turned into JSON.
 *
 * @example
 * const { written, rejected } = await commitGroup(db, {
 *   batch: { id: uuidv7(), workerId: 'w1', taskType: 'EMAIL', trigger: 'size',
 *            openedAt, flushedAt: new Date(), handlerMs: 12.5, size: 100 },
 *   tasks: finished, // ≤ 100 rows; the rest were sent back for a retry
 * });
 * for (const { id, message } of rejected) failForGood(id, message);
 * const duplicates = finished.filter((task) => !written.includes(task.id)); // rows already there
 */
export const commitGroup = async (db: Kysely<Database>, group: GroupCommit): Promise<CommitResult> => {
  checkGroup(group);
  checkSink(group);
  const { batch } = group;
  const rows = [...group.tasks].sort(byId).map(toTaskValues);
  const committed = await writeOrIsolate(db, batch, rows, group.sinkTable);
  // PostgreSQL prints a uuid in lower case: give each id back as the caller spelled it, once.
  const unclaimed = new Set(committed.written);
  return { ...committed, written: rows.flatMap((row) => (unclaimed.delete(row.id.toLowerCase()) ? [row.id] : [])) };
};
