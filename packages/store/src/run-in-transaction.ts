import type { Kysely, Transaction } from 'kysely';

/**
 * Runs `work` in a transaction (BEGIN … COMMIT, ROLLBACK when `work` throws) and rethrows what
 * `work` threw. Kysely's own `transaction()` does the same except when the ROLLBACK fails
 * too, which is what a lost connection does: it then throws the ROLLBACK's error ("not
 * queryable") and the cause is gone. That second error is only a consequence of the first,
 * and the connection has already been discarded, so the first is the one worth reporting.
 *
 * @example
 * const total = await runInTransaction(db, async (trx) => { … });
 */
export const runInTransaction = async <DB, T>(
  db: Kysely<DB>,
  work: (trx: Transaction<DB>) => Promise<T>,
): Promise<T> => {
  let failure: { readonly error: unknown } | undefined;
  try {
    return await db.transaction().execute(async (trx) => {
      try {
        return await work(trx);
      } catch (error) {
        failure = { error };
        throw error;
      }
    });
  } catch (error) {
    throw failure === undefined ? error : failure.error;
  }
};
