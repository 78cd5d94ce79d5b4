import { sql, type RawBuilder } from 'kysely';
import type { GroupBatch } from './group-commit.js';

/** What the task rows of a commit added up to before the statement that writes the batch row. */
export interface BatchTally {
  /** Task rows the group handed over (`tasks.length`), written or not. */
  readonly taskCount: number;
  /** COMPLETED rows already written earlier in the same transaction. */
  readonly completedEarlier: number;
  /** FAILED rows already written earlier in the same transaction. */
  readonly failedEarlier: number;
}

/** The batch row as its insert returns it. */
export interface BatchWrite {
  readonly committed_at: Date;
  /** `completed + failed`: every task row the commit wrote. */
  readonly inserted: number;
  readonly duplicates: number;
}

/**
 * `INSERT INTO batches … RETURNING …` for a statement whose task insert is a CTE named
 * `written` returning `status`: the counts come from what that insert really wrote, plus the
 * rows `tally` says were written earlier in the transaction, so they always add up to `size`
 * (the `batches_counts_check` constraint holds them to it).
 *
 * `commit_ms` runs from `now()`, the transaction's start, to the moment this row is built,
 * after the last task row is in. For the one-statement commit that start is the statement's
 * own; after poison isolation it covers every attempt.
 */
export const insertBatch = (batch: GroupBatch, tally: BatchTally): RawBuilder<BatchWrite> => sql<BatchWrite>`
  INSERT INTO batches (id, worker_id, task_type, group_key, size, completed, failed, retried, duplicates,
                       trigger, opened_at, flushed_at, committed_at, handler_ms, commit_ms)
  SELECT ${batch.id}::uuid, ${batch.workerId}, ${batch.taskType}, ${batch.groupKey ?? null}::text, ${batch.size}::integer,
         ${tally.completedEarlier}::integer + count(*) FILTER (WHERE status = 'COMPLETED'),
         ${tally.failedEarlier}::integer + count(*) FILTER (WHERE status = 'FAILED'),
         ${batch.size - tally.taskCount}::integer,
         ${tally.taskCount - tally.completedEarlier - tally.failedEarlier}::integer - count(*),
         ${batch.trigger}, ${batch.openedAt}::timestamptz, ${batch.flushedAt}::timestamptz,
         now(), ${batch.handlerMs}::double precision,
         1000 * extract(epoch FROM clock_timestamp() - now())
  FROM written
  RETURNING committed_at, completed + failed AS inserted, duplicates
`;
