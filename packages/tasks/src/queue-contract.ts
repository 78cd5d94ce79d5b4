import type { JobsOptions } from 'bullmq';

/** The queue Sluice uses unless QUEUE_NAME says otherwise. */
export const DEFAULT_QUEUE_NAME = 'tasks';

/**
 * Where, under the queue's prefix (`queue.toKey(EXTRA_TASKS_KEY)`), the tasks that parcels waiting
 * in the queue carry beyond their one job are counted, so that QUEUE_HIGH_WATER counts tasks, not
 * jobs. The api adds a parcel's tasks − 1 once it has enqueued it; a worker takes them off when it
 * first takes a parcel the api made (retry parcels are neither counted nor taken off). The api reads the waiting
 * jobs plus this, and sets it to 0 whenever the waiting list is empty, so drift left by a crash
 * lasts no longer than the backlog.
 */
export const EXTRA_TASKS_KEY = 'sluice:extra-tasks';

export interface RetrySettings {
  /** Retries after the first attempt (BATCH_MAX_RETRIES). */
  readonly maxRetries: number;
  /** Delay before the first retry in ms, doubled for each later one (BACKOFF_DELAY_MS). */
  readonly backoffDelayMs: number;
}

/** How long, and how many, jobs that failed for good stay in Redis (FAILED_JOBS_RETENTION, FAILED_JOBS_MAX). */
export interface FailedJobsBound {
  readonly maxAgeSeconds: number;
  readonly maxCount: number;
}

/** The defaults of FAILED_JOBS_RETENTION (7 days) and FAILED_JOBS_MAX. */
export const FAILED_JOBS_DEFAULTS: FailedJobsBound = Object.freeze({ maxAgeSeconds: 7 * 24 * 3_600, maxCount: 10_000 });

/**
 * Per-job options for every task.
 *
 * A completed job is removed at once: by then its row, result included, is committed to
 * PostgreSQL, which answers `GET /api/tasks/:id` and the dashboard, so keeping the job in Redis
 * too would store every task twice. It is also per-job work on the hot path: adding the job to
 * the completed set and trimming that set cost Redis about 13 µs of its one core per job
 * (58 → 45 µs to move a job to active and to completed, 30,000 jobs, no-op worker, measured
 * with /proc). A job that failed for good is kept for Bull Board, bounded both ways (`failed`):
 * by age, and by count, the newest kept, so a burst of failures cannot fill Redis before the age
 * limit comes round; its FAILED row keeps the facts after that. BullMQ trims the failed set each
 * time a job fails.
 *
 * `removeOnComplete` is set per job on purpose: BullMQ 6.7.0 breaks when it is a Worker option.
 */
export const jobOptions = (retry: RetrySettings, failed: FailedJobsBound = FAILED_JOBS_DEFAULTS): JobsOptions => ({
  attempts: retry.maxRetries + 1,
  backoff: { type: 'exponential', delay: retry.backoffDelayMs },
  removeOnComplete: true,
  removeOnFail: { age: failed.maxAgeSeconds, count: failed.maxCount },
});
