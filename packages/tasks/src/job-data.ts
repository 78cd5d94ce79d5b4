import { z } from 'zod';
import { PARCEL_INDEX_LIMIT } from './parcel-id.js';
import { isPlainObject } from './submission.js';
import { isUuid } from './task-id.js';

/**
 * What a BullMQ job carrying one task holds. The job's name is the task type and its id is the
 * task id, so neither is repeated here. A single submission travels so.
 */
export const jobDataSchema = z.object({
  payload: z.unknown(),
  /** Epoch ms when the api accepted the task; task latency is measured from here. */
  submittedAt: z.number().int().nonnegative(),
});

export type JobData = z.output<typeof jobDataSchema>;

/** One task of a parcel: its own id, its payload, and why its previous attempt failed (retry parcels). */
export interface ParcelTask {
  readonly id: string;
  readonly payload: unknown;
  readonly error?: string;
}

/**
 * What a parcel job holds: many tasks of one type (the job's name) and one group key, accepted
 * together. Bulk submissions travel so, up to their type's batch size a parcel, which makes the
 * per-job cost of BullMQ (two scripts, a lock, a hash) a per-parcel one. See parcel-id.ts for how
 * its tasks' ids and its job id relate.
 */
export interface ParcelData {
  /** Epoch ms when the api accepted the tasks. */
  readonly submittedAt: number;
  /** The type's `groupBy` key of every task, as the api found it; absent for a type without one. */
  readonly key?: string;
  /**
   * The attempt its tasks are on when this job first runs: absent (1) for a parcel the api made,
   * 2 or more for a retry parcel. Each attempt BullMQ makes of the job adds one.
   */
  readonly attempt?: number;
  readonly tasks: ReadonlyArray<ParcelTask>;
}

/** Data of any job of the tasks queue: one task, or a parcel. */
export type QueuedJobData = JobData | ParcelData;

/** How many tasks a job of the tasks queue carries: a parcel's count, else 1. Never throws. */
export const tasksIn = (data: unknown): number => {
  const tasks = (data as { tasks?: unknown } | null | undefined)?.tasks;
  return Array.isArray(tasks) && tasks.length > 0 ? tasks.length : 1;
};

/** A job as the worker runs it: one task or many, with what they share. */
export interface CheckedTasks {
  readonly ok: true;
  /** The job's id: the task id of a single task, the parcel's id of a parcel. */
  readonly id: string;
  readonly parcel: boolean;
  readonly tasks: ReadonlyArray<ParcelTask>;
  readonly submittedAt: number;
  /** The attempt the tasks were on when the job first ran (see ParcelData.attempt). */
  readonly firstAttempt: number;
  /** A parcel's `groupBy` key, as the api found it. */
  readonly key?: string;
}

/** What {@link checkJob} found: the job's tasks, or why it is not a task. */
export type CheckedJob = CheckedTasks | { readonly ok: false; readonly reason: string };

const invalid = (reason: string): CheckedJob => ({ ok: false, reason: `invalid job: ${reason}` });

const isWhole = (value: unknown, least: number): value is number =>
  typeof value === 'number' && Number.isInteger(value) && value >= least;

/**
 * Checks a parcel by hand rather than with zod: it runs for every parcel the worker takes, and
 * its tasks' payloads are checked by their type's schema anyway.
 */
const checkParcel = (id: string, data: Record<string, unknown>): CheckedJob => {
  const { submittedAt, key, attempt, tasks } = data;
  if (!isWhole(submittedAt, 0)) return invalid('its submittedAt is not a time in epoch ms');
  if (key !== undefined && typeof key !== 'string') return invalid('its key is not a string');
  if (attempt !== undefined && !isWhole(attempt, 1)) return invalid('its attempt is not a whole number ≥ 1');
  if (!Array.isArray(tasks) || tasks.length === 0 || tasks.length > PARCEL_INDEX_LIMIT) {
    return invalid(`its tasks are not a list of 1 to ${PARCEL_INDEX_LIMIT}`);
  }
  const seen = new Set<string>();
  for (const [index, task] of tasks.entries()) {
    if (!isPlainObject(task) || typeof task.id !== 'string' || !isUuid(task.id) || !('payload' in task)) {
      return invalid(`its task ${index} is not { id: a UUID, payload }`);
    }
    if (task.error !== undefined && typeof task.error !== 'string')
      return invalid(`its task ${index} has an error that is not text`);
    if (seen.has(task.id)) return invalid(`it holds task ${task.id} twice`);
    seen.add(task.id);
  }
  return {
    ok: true,
    id,
    parcel: true,
    tasks: tasks as ReadonlyArray<ParcelTask>,
    submittedAt,
    firstAttempt: attempt ?? 1,
    ...(key === undefined ? {} : { key }),
  };
};

/**
 * Checks a job taken off the tasks queue before anything runs for it: its id must be a UUID and
 * its data must be one task's (see {@link jobDataSchema}) or a parcel's (see {@link ParcelData}).
 * The api only enqueues such jobs, but anything with access to Redis can add one, and a job that
 * fails either check can never become rows (a task's id is the primary key, `submittedAt` a
 * column that must hold a time). No retry changes that, so the worker fails it for good, alone,
 * with `reason`.
 *
 * @example
 * const checked = checkJob(job.id, job.data);
 * if (!checked.ok) return { ok: false, error: new UnrecoverableError(checked.reason) };
 * for (const task of checked.tasks) run(task.id, task.payload);
 */
export const checkJob = (id: string | undefined, data: unknown): CheckedJob => {
  if (id === undefined || !isUuid(id)) {
    return invalid(`its id ${JSON.stringify(id)} is not a UUID (a task's id is its job id and its primary key)`);
  }
  if (isPlainObject(data) && 'tasks' in data) return checkParcel(id, data);
  const parsed = jobDataSchema.safeParse(data);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'data'}: ${issue.message}`);
    return invalid(`its data is not a task's (${issues.join('; ')})`);
  }
  return {
    ok: true,
    id,
    parcel: false,
    tasks: [{ id, payload: parsed.data.payload }],
    submittedAt: parsed.data.submittedAt,
    firstAttempt: 1,
  };
};
