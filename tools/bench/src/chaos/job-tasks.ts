/**
 * The tasks a job of the tasks queue holds, as the chaos run's evidence names them. Since issue 15
 * a bulk request, keyed or not, travels as parcels: one job carrying many tasks, each with its
 * own id and payload (so its own ref), and a parcel whose tasks all failed lands in the failed set
 * as one job. The evidence is per task, so a job is read as its tasks. Pure.
 */
import { checkJob } from '@sluice/tasks';

/** One task as a job holds it. */
export interface JobTask {
  /** The task's id: its job's for a single task, its own inside a parcel. */
  readonly id: string;
  /** `payload.ref`; null when the payload carries none. */
  readonly ref: string | null;
  /** Attempts the task has had: a retry parcel's tasks count those before it. */
  readonly attemptsMade: number;
  /** The error of the task's previous attempt, which a retry parcel carries; null when none. */
  readonly error: string | null;
}

/** What {@link tasksOfJob} reads of a BullMQ job. */
export interface HeldJob {
  readonly id: string;
  readonly data: unknown;
  readonly attemptsMade: number;
}

const refOf = (payload: unknown): string | null => {
  const ref = (payload as { ref?: unknown } | null | undefined)?.ref;
  return typeof ref === 'string' ? ref : null;
};

/**
 * The tasks `job` carries: a parcel's, each under its own id, or the one task of any other job
 * under the job's id. A job that is not a task's (its id not a UUID, its data not a task's) is
 * read as one task too, whatever its data holds, so that it still shows up as evidence.
 *
 * @example
 * tasksOfJob({ id: parcelId, data: { submittedAt, tasks: [{ id: a, payload: { ref: 'chaos-0000001' } }] }, attemptsMade: 1 });
 * // [{ id: a, ref: 'chaos-0000001', attemptsMade: 1, error: null }]
 */
export const tasksOfJob = (job: HeldJob): ReadonlyArray<JobTask> => {
  const checked = checkJob(job.id, job.data);
  if (!checked.ok) {
    const payload = (job.data as { payload?: unknown } | null | undefined)?.payload;
    return [{ id: job.id, ref: refOf(payload), attemptsMade: job.attemptsMade, error: null }];
  }
  return checked.tasks.map((task) => ({
    id: task.id,
    ref: refOf(task.payload),
    attemptsMade: checked.firstAttempt - 1 + job.attemptsMade,
    error: task.error ?? null,
  }));
};
