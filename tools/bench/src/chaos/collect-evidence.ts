import type { JobState, Queue } from 'bullmq';
import { sql, type Kysely } from 'kysely';
import type { Database } from '@sluice/store';
import { tasksOfJob } from './job-tasks.js';
import type { CommittedRow, FailedJob, JobSnapshot } from './reconcile.js';

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

/**
 * Every task of BullMQ's failed set, with its reason: a failed parcel is each of its tasks, under
 * its own id and ref, with the job's reason (else the task's own last error).
 */
export const readFailedSet = async (queue: Queue): Promise<ReadonlyArray<FailedJob>> => {
  const jobs = await queue.getFailed(0, -1);
  return jobs.flatMap((job) =>
    job?.id === undefined
      ? []
      : tasksOfJob({ id: job.id, data: job.data, attemptsMade: job.attemptsMade }).map(
          (task): FailedJob => ({
            id: task.id,
            ref: task.ref,
            reason: job.failedReason || (task.error ?? ''),
            attemptsMade: task.attemptsMade,
          }),
        ),
  );
};

/**
 * The states a job passes through, in that order but for a retry's delayed → waiting, so that a
 * job moving on while they are read one after the other is seen again rather than missed.
 */
const STATES_IN_FLOW: ReadonlyArray<JobState> = [
  'waiting-children',
  'prioritized',
  'waiting',
  'active',
  'delayed',
  'completed',
  'failed',
];

/** Jobs read in one `getJobs` call. */
const PAGE = 1_000;

/** Reads every job of the queue, state by state, and records the state of each wanted task it holds. */
const scanForTasks = async (
  queue: Queue,
  wanted: ReadonlySet<string>,
  states: Map<string, JobSnapshot>,
): Promise<void> => {
  for (const state of STATES_IN_FLOW) {
    for (let start = 0; ; start += PAGE) {
      const jobs = await queue.getJobs([state], start, start + PAGE - 1);
      for (const job of jobs) {
        if (job?.id === undefined) continue;
        for (const task of tasksOfJob({ id: job.id, data: job.data, attemptsMade: job.attemptsMade })) {
          if (!wanted.has(task.id) || states.has(task.id)) continue;
          states.set(task.id, {
            state,
            attemptsMade: task.attemptsMade,
            stalledCounter: job.stalledCounter,
            ...(job.failedReason ? { failedReason: job.failedReason } : {}),
          });
        }
      }
      if (jobs.length < PAGE) break;
    }
  }
};

/**
 * BullMQ's state of each task id (`missing` when no job holds it). A task inside a parcel has no
 * job of its own, so rather than look each id up, the jobs of every state are read and unfolded
 * into their tasks (after a drain, few are left), twice for the ids the first pass did not find:
 * a job that moved to a state already read is then found in it.
 */
export const readJobStates = async (
  queue: Queue,
  ids: ReadonlyArray<string>,
): Promise<ReadonlyMap<string, JobSnapshot>> => {
  const states = new Map<string, JobSnapshot>();
  if (ids.length === 0) return states;
  await scanForTasks(queue, new Set(ids), states);
  const unseen = new Set(ids.filter((id) => !states.has(id)));
  if (unseen.size > 0) await scanForTasks(queue, unseen, states);
  for (const id of ids) if (!states.has(id)) states.set(id, { state: 'missing' });
  return states;
};
