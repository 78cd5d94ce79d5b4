import type { Kysely } from 'kysely';
import { isUuid } from '@sluice/tasks';
import { batchRecordColumns, type BatchRecord } from '../batch-record.js';
import { InvalidArgumentError } from '../invalid-argument-error.js';
import type { Database } from '../schema.js';

/** The largest page `recentBatches` returns. */
export const MAX_BATCH_PAGE = 1_000;

/** Which page of batches to read. */
export interface RecentBatchesQuery {
  /** Batches per page, 1 to {@link MAX_BATCH_PAGE}. */
  readonly limit: number;
  /** The `nextCursor` of the previous page; omit for the newest batches. */
  readonly before?: string;
}

/** A page of batches, newest first. */
export interface BatchPage {
  readonly items: ReadonlyArray<BatchRecord>;
  /** Pass as `before` to read the next (older) page; absent on the last page. */
  readonly nextCursor?: string;
}

/**
 * Batches newest first. Batch ids are UUIDv7, which sort by creation time, so the primary key
 * alone orders the rows and serves as the cursor: paging stays stable while new batches
 * arrive, and each page is an index range scan however deep it is.
 *
 * @throws {InvalidArgumentError} for a `limit` out of range or a `before` that is not a UUID.
 *
 * @example
 * const first = await selectRecentBatches(db, { limit: 20 });
 * const second = first.nextCursor === undefined
 *   ? undefined
 *   : await selectRecentBatches(db, { limit: 20, before: first.nextCursor });
 */
export const selectRecentBatches = async (db: Kysely<Database>, query: RecentBatchesQuery): Promise<BatchPage> => {
  const { limit, before } = query;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_BATCH_PAGE) {
    throw new InvalidArgumentError('limit', `must be a whole number from 1 to ${MAX_BATCH_PAGE}, got ${limit}`);
  }
  if (before !== undefined && !isUuid(before)) {
    throw new InvalidArgumentError('before', 'must be a cursor returned by a previous page');
  }
  // One row more than asked tells whether another page exists, without a count.
  const newestFirst = db
    .selectFrom('batches')
    .select(batchRecordColumns)
    .orderBy('id', 'desc')
    .limit(limit + 1);
  const rows = await (before === undefined ? newestFirst : newestFirst.where('id', '<', before)).execute();
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return rows.length > limit && last !== undefined ? { items, nextCursor: last.id } : { items };
};
