import { z } from 'zod';
import { isUuid } from './task-id.js';

/**
 * What a BullMQ job of the tasks queue carries. The job's name is the task type and its id is the
 * task id, so neither is repeated here.
 */
export const jobDataSchema = z.object({
  payload: z.unknown(),
  /** Epoch ms when the api accepted the task; task latency is measured from here. */
  submittedAt: z.number().int().nonnegative(),
});

export type JobData = z.output<typeof jobDataSchema>;

/** What {@link checkJob} found: the job's id and parsed data, or why it is not a task. */
export type CheckedJob =
  | { readonly ok: true; readonly id: string; readonly data: JobData }
  | { readonly ok: false; readonly reason: string };

/**
 * Checks a job taken off the tasks queue before anything runs for it: its id must be a UUID and
 * its data must match {@link jobDataSchema}. The api only enqueues such jobs, but anything with
 * access to Redis can add one, and a job that fails either check can never become a row (the id
 * is the primary key, `submittedAt` a column that must hold a time). No retry changes that, so
 * the worker fails it for good, alone, with `reason`.
 *
 * @example
 * const checked = checkJob(job.id, job.data);
 * if (!checked.ok) return { ok: false, error: new UnrecoverableError(checked.reason) };
 */
export const checkJob = (id: string | undefined, data: unknown): CheckedJob => {
  if (id === undefined || !isUuid(id)) {
    return {
      ok: false,
      reason: `invalid job: its id ${JSON.stringify(id)} is not a UUID (a task's id is its job id and its primary key)`,
    };
  }
  const parsed = jobDataSchema.safeParse(data);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'data'}: ${issue.message}`);
    return { ok: false, reason: `invalid job: its data is not a task's (${issues.join('; ')})` };
  }
  return { ok: true, id, data: parsed.data };
};
