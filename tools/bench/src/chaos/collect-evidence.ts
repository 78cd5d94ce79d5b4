import type { Queue } from 'bullmq';
import { sql, type Kysely } from 'kysely';
import type { Database } from '@sluice/store';
import type { CommittedRow, FailedJob, JobSnapshot } from './reconcile.js';

const refOfData = (data: unknown): string | null => {
  const ref = (data as { payload?: { ref?: unknown } } | undefined)?.payload?.ref;
  return typeof ref === 'string' ? ref : null;
};

/**
 * Every row of `tasks`, with the ref from its payload. The run's database is its own, so every
 * row is the run's business.
 */
export const readCommittedRows = async (db: Kysely<Database>): Promise<ReadonlyArray<CommittedRow>> => {
  const rows = await db
    .selectFrom('tasks')
    .select(['id', 'status', 'error', 'attempts', 'batch_id', sql<string | null>`payload->>'ref'`.as('ref')])
    .execute();
  return rows.map((row) => ({
    id: row.id,
    ref: row.ref,
    status: row.status,
    error: row.error,
    attempts: row.attempts,
    batchId: row.batch_id,
  }));
};

/** Rows the group writes skipped because the id was already there: redeliveries caught by ON CONFLICT. */
export const readSkippedDuplicates = async (db: Kysely<Database>): Promise<number> => {
  const result = await sql<{ n: number }>`select coalesce(sum(duplicates), 0)::int as n from batches`.execute(db);
  return result.rows[0]?.n ?? 0;
};

/** Every job of BullMQ's failed set, with its reason. */
export const readFailedSet = async (queue: Queue): Promise<ReadonlyArray<FailedJob>> => {
  const jobs = await queue.getFailed(0, -1);
  return jobs.flatMap((job) =>
    job?.id === undefined
      ? []
      : [{ id: job.id, ref: refOfData(job.data), reason: job.failedReason ?? '', attemptsMade: job.attemptsMade }],
  );
};

/** BullMQ's state of each id (`missing` when the job is gone), looked up a hundred at a time. */
export const readJobStates = async (
  queue: Queue,
  ids: ReadonlyArray<string>,
): Promise<ReadonlyMap<string, JobSnapshot>> => {
  const states = new Map<string, JobSnapshot>();
  for (let start = 0; start < ids.length; start += 100) {
    const chunk = ids.slice(start, start + 100);
    const found = await Promise.all(
      chunk.map(async (id): Promise<readonly [string, JobSnapshot]> => {
        const job = await queue.getJob(id);
        if (!job) return [id, { state: 'missing' }];
        return [
          id,
          {
            state: await job.getState(),
            attemptsMade: job.attemptsMade,
            stalledCounter: job.stalledCounter,
            ...(job.failedReason ? { failedReason: job.failedReason } : {}),
          },
        ];
      }),
    );
    for (const [id, snapshot] of found) states.set(id, snapshot);
  }
  return states;
};
