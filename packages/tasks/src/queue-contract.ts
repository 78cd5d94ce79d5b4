import type { JobsOptions } from 'bullmq';

/** The queue Sluice uses unless QUEUE_NAME says otherwise. */
export const DEFAULT_QUEUE_NAME = 'tasks';

export interface RetrySettings {
  /** Retries after the first attempt (BATCH_MAX_RETRIES). */
  readonly maxRetries: number;
  /** Delay before the first retry in ms, doubled for each later one (BACKOFF_DELAY_MS). */
  readonly backoffDelayMs: number;
}

/**
 * Per-job options for every task. Completed jobs are dropped soon (PostgreSQL holds the result);
 * failed ones are kept a week so they can be inspected and retried from Bull Board.
 * `removeOnComplete` is set per job on purpose: BullMQ 6.7.0 breaks when it is a Worker option.
 */
export const jobOptions = (retry: RetrySettings): JobsOptions => ({
  attempts: retry.maxRetries + 1,
  backoff: { type: 'exponential', delay: retry.backoffDelayMs },
  removeOnComplete: { age: 3_600, count: 10_000 },
  removeOnFail: { age: 7 * 24 * 3_600 },
});
