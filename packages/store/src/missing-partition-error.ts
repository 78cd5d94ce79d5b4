import { errorChain } from './error-chain.js';
import { sqlStateOf } from './sql-state.js';

/**
 * PostgreSQL's words for a row whose partition key falls in no partition. The SQLSTATE alone
 * (23514, check_violation) is shared with every CHECK constraint, which is bad data; this is not.
 */
const NO_PARTITION = /^no partition of relation "(tasks|batches)" found for row/;

/**
 * Whether `error` is PostgreSQL refusing a row that has no partition to go to: its time is older
 * than the oldest partition (dropped past TASK_RETENTION) or newer than the newest (not created
 * yet). Looks through `cause` and `AggregateError` wrappers.
 */
export const isMissingPartitionError = (error: unknown): boolean =>
  errorChain(error).some(
    (link) => sqlStateOf(link) === '23514' && link instanceof Error && NO_PARTITION.test(link.message),
  );

/**
 * A commit refused because a row had no partition (see {@link isMissingPartitionError}): nothing
 * was written. Not the rows' data, so not poison isolation's business: the caller reads the
 * partitions again and sorts the group's tasks into those that can be written and those whose
 * partition is gone.
 */
export class MissingPartitionError extends Error {
  override readonly name = 'MissingPartitionError';

  constructor(options: { readonly cause: unknown }) {
    super(
      `no partition to write a row into: ${options.cause instanceof Error ? options.cause.message : String(options.cause)}`,
      options,
    );
  }
}
