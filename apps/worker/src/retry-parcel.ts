import { Backoffs, type JobsOptions, type MinimalJob } from 'bullmq';
import { retryParcelId, type CheckedTasks, type ParcelData, type ParcelTask } from '@sluice/tasks';

/** A job to add: what `Queue.add` takes. */
export interface NewJob {
  readonly name: string;
  readonly data: ParcelData;
  readonly opts: JobsOptions;
}

/** The parts of a BullMQ job a retry parcel is made from. */
export interface RetriedJob {
  readonly id: string;
  readonly name: string;
  readonly attemptsMade: number;
  readonly opts: JobsOptions;
}

/**
 * BullMQ's delay before the next attempt of a job that has just failed its attempt number
 * `attemptsMade + 1`, as BullMQ itself would reckon it for a retry of the job (its Backoffs, the
 * built-in fixed and exponential strategies with their jitter). A custom strategy, which Sluice
 * never sets, would need the worker's settings and the whole job: no delay then.
 */
const nextDelay = (opts: JobsOptions, attemptsMade: number): number => {
  const backoff = Backoffs.normalize(opts.backoff ?? 0);
  if (backoff === undefined || !(backoff.type in Backoffs.builtinStrategies)) return 0;
  // The built-in strategies read the attempt alone; the error and job are for custom ones.
  const delay = Backoffs.calculate(backoff, attemptsMade + 1, new Error('retry'), {} as MinimalJob);
  return typeof delay === 'number' ? delay : 0;
};

/**
 * The job that takes the tasks of a parcel that need another attempt on to it, while the rest of
 * the parcel is settled: the retry parcel. The tasks keep their ids and payloads, and each
 * carries the error of the attempt it just failed (Bull Board shows it).
 *
 * - Its id is the parcel's job id with the attempt it starts on (`retryParcelId`): a worker that
 *   crashes after adding it and runs the parcel again adds the same job, which BullMQ holds once.
 * - It waits the backoff the tasks' attempt has earned, as a whole parcel retried by BullMQ
 *   would, and its own retries keep doubling from there: its backoff starts where the parcel's
 *   next one would. It has the attempts the tasks have left.
 *
 * @example
 * const retry = retryParcelOf(job, checked, [{ task, error: 'timed out' }]);
 * await queue.add(retry.name, retry.data, retry.opts);
 */
export const retryParcelOf = (
  job: RetriedJob,
  checked: Pick<CheckedTasks, 'submittedAt' | 'firstAttempt' | 'key'>,
  retries: ReadonlyArray<{ readonly task: ParcelTask; readonly error: string }>,
): NewJob => {
  // The attempt the tasks have just made, and the next.
  const made = checked.firstAttempt + job.attemptsMade;
  const delay = nextDelay(job.opts, job.attemptsMade);
  const { backoff } = job.opts;
  // Only the options Sluice sets (jobOptions): BullMQ keeps bookkeeping of its own in a job's opts.
  const { removeOnComplete, removeOnFail } = job.opts;
  const opts: JobsOptions = {
    ...(removeOnComplete === undefined ? {} : { removeOnComplete }),
    ...(removeOnFail === undefined ? {} : { removeOnFail }),
    jobId: retryParcelId(job.id, made + 1),
    delay,
    attempts: Math.max(1, (job.opts.attempts ?? 1) - job.attemptsMade - 1),
    ...(backoff === undefined
      ? {}
      : {
          backoff:
            typeof backoff === 'object' && backoff.type === 'exponential' ? { ...backoff, delay: delay * 2 } : backoff,
        }),
  };
  return {
    name: job.name,
    data: {
      submittedAt: checked.submittedAt,
      ...(checked.key === undefined ? {} : { key: checked.key }),
      attempt: made + 1,
      tasks: retries.map(({ task, error }) => ({ id: task.id, payload: task.payload, error })),
    },
    opts,
  };
};
