import { isTableOrPartition } from '../partition-plan.js';
import { sql, type Kysely, type Transaction } from 'kysely';
import { errorChain } from '../error-chain.js';
import { errorMessage } from '../error-message.js';
import { isDataError } from '../is-data-error.js';
import { isPgCount } from '../pg-integer.js';
import { runInTransaction } from '../run-in-transaction.js';
import type { Database } from '../schema.js';
import { sqlStateOf } from '../sql-state.js';
import { withoutNul } from '../without-nul.js';
import type { CommitResult, GroupBatch, RejectedTask } from './group-commit.js';
import { sinkInserts } from './insert-sink.js';
import { insertTasks, type WrittenTask } from './insert-tasks.js';
import type { TaskValues } from './task-values.js';
import { writeGroup } from './write-group.js';

/**
 * Whether PostgreSQL refused a statement for the values of its task rows or their sink rows: a
 * data error (SQLSTATE class 22 or 23) that is not about the batch row. A constraint error names
 * its table (for a partitioned one, the partition); one on `batches` would fail every attempt the
 * same way, so splitting the task rows could not help.
 */
export const blamesTaskRows = (error: unknown): boolean =>
  isDataError(error) &&
  !errorChain(error).some(
    (link) =>
      typeof link === 'object' &&
      link !== null &&
      'table' in link &&
      typeof link.table === 'string' &&
      isTableOrPartition('batches', link.table),
  );

/** The SQLSTATE and message of the data error in `error`'s chain. */
const refusalOf = (error: unknown): Omit<RejectedTask, 'id'> => {
  // The link that carries the SQLSTATE itself, not a wrapper around it.
  const link = errorChain(error).find((candidate) => sqlStateOf(candidate) !== undefined && isDataError(candidate));
  return {
    sqlState: sqlStateOf(link) ?? 'unknown',
    message: errorMessage(link),
  };
};

/**
 * The FAILED row that stands in for a refused task. Payload, result and sink rows are left out,
 * since any of them may be what was refused, and a FAILED task writes no sink rows; the error is
 * the server's message (never its DETAIL, which for a check violation quotes the whole row,
 * payload included). Attempts the database would not take become 0, "not known". Everything
 * else was checked before the first attempt.
 */
const standIn = (row: TaskValues, reason: Omit<RejectedTask, 'id'>): TaskValues => ({
  ...row,
  taskType: withoutNul(row.taskType),
  payload: null,
  status: 'FAILED',
  result: null,
  error: withoutNul(`rejected by PostgreSQL (${reason.sqlState}): ${reason.message}`),
  attempts: isPgCount(row.attempts) ? row.attempts : 0,
  sinkRows: [],
});

/** The task rows of `part` and, in the same statement, their sink rows: one attempt. */
const insertPart = (part: ReadonlyArray<TaskValues>, batchId: string, sinkTable: string | undefined) => {
  const sinks = sinkInserts(sinkTable, part);
  return sinks.length === 0
    ? insertTasks(part, batchId)
    : sql<WrittenTask>`WITH written AS (${insertTasks(part, batchId)}), ${sql.join(sinks)} SELECT id, status FROM written`;
};

const halves = <T>(rows: ReadonlyArray<T>): readonly [ReadonlyArray<T>, ReadonlyArray<T>] => {
  const middle = Math.ceil(rows.length / 2);
  return [rows.slice(0, middle), rows.slice(middle)];
};

/**
 * Commits a group whose one-statement write PostgreSQL refused for its data (`refusal`), so
 * that every good row lands and each bad one becomes a FAILED row; see `commitGroup` for the
 * contract. Nothing was written by the refused statement, and everything here happens in one
 * transaction, so a crash or a lost connection part-way leaves nothing behind.
 *
 * The search: rows that failed together are split in halves and each half is tried under its
 * own SAVEPOINT; a half that fails is rolled back to its savepoint (which is then released, so
 * attempts never nest) and split again, down to single rows, each of which is then known bad
 * with its own error message. When the first
 * half of a failing set goes in, the fault must lie in the second, so a second half of more
 * than one row is split without being tried whole. With k bad rows among n that is at most
 * about 2·k·log2(n) attempts; one final statement then writes the stand-in FAILED rows and the
 * batch row.
 *
 * Rows stay in id order within every attempt, as in the one-statement write. The stand-ins
 * come last and may take a row lock out of that order; a deadlock with a racing commit of the
 * same tasks then fails one of them with 40P01, a transient error, and its group is retried.
 *
 * @throws the first error that is not a refusal of task data (a lost connection, say), after
 *   rolling everything back; or the error of the final statement, which should never be
 *   refused since its rows are built to be accepted.
 */
export const isolatePoison = async (
  db: Kysely<Database>,
  batch: GroupBatch,
  rows: ReadonlyArray<TaskValues>,
  refusal: unknown,
  sinkTable?: string,
): Promise<CommitResult> =>
  runInTransaction(db, async (trx: Transaction<Database>) => {
    let completedEarlier = 0;
    let failedEarlier = 0;
    const writtenEarlier: string[] = [];
    const refused: Array<{ readonly row: TaskValues; readonly reason: Omit<RejectedTask, 'id'> }> = [];

    /** Tries `part` under a savepoint: `undefined` when it went in, else the refusal. */
    const attempt = async (part: ReadonlyArray<TaskValues>): Promise<unknown> => {
      await sql`SAVEPOINT attempt`.execute(trx);
      try {
        const { rows: written } = await insertPart(part, batch.id, sinkTable).execute(trx);
        await sql`RELEASE SAVEPOINT attempt`.execute(trx);
        for (const { id, status } of written) {
          writtenEarlier.push(id);
          if (status === 'COMPLETED') completedEarlier += 1;
          else failedEarlier += 1;
        }
        return undefined;
      } catch (error) {
        if (!blamesTaskRows(error)) throw error;
        // ROLLBACK TO keeps the savepoint open: without the RELEASE, each refused attempt would
        // nest the next one a level deeper, every level under a write takes a transaction id,
        // and past 64 of those the server's subtransaction cache overflows, which slows every
        // other session's snapshots.
        await sql`ROLLBACK TO SAVEPOINT attempt`.execute(trx);
        await sql`RELEASE SAVEPOINT attempt`.execute(trx);
        return error;
      }
    };

    const isolate = async (failing: ReadonlyArray<TaskValues>, error: unknown): Promise<void> => {
      const [only] = failing;
      if (failing.length === 1 && only !== undefined) {
        refused.push({ row: only, reason: refusalOf(error) });
        return;
      }
      const [first, second] = halves(failing);
      const firstError = await attempt(first);
      if (firstError !== undefined) await isolate(first, firstError);
      // A single row is still tried alone: its refusal message must be its own.
      const secondError = firstError === undefined && second.length > 1 ? error : await attempt(second);
      if (secondError !== undefined) await isolate(second, secondError);
    };

    await isolate(rows, refusal);

    const final = await writeGroup(
      trx,
      batch,
      refused.map(({ row, reason }) => standIn(row, reason)),
      { taskCount: rows.length, completedEarlier, failedEarlier },
    );
    // A task listed twice, or already committed, is a duplicate: its stand-in was skipped. The
    // ids come back as PostgreSQL prints a uuid, in lower case.
    const unclaimed = new Set(final.written_ids);
    const rejected = refused
      .filter(({ row }) => unclaimed.delete(row.id.toLowerCase()))
      .map(({ row, reason }): RejectedTask => ({ id: row.id, ...reason }));
    return {
      inserted: final.inserted,
      duplicates: final.duplicates,
      committedAt: final.committed_at,
      rejected,
      written: [...writtenEarlier, ...final.written_ids],
    };
  });
