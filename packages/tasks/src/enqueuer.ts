import type { RedisClient } from './redis-client.js';
import type { z } from 'zod';
import { createCatalog } from './catalog.js';
import { enqueueFailure, InvalidTaskError } from './enqueue-errors.js';
import { callerOfApiKey, IDEMPOTENCY_KEY, taskIdForKey } from './idempotency.js';
import { submitKeyed } from './keyed-submission.js';
import { untilConnected } from './redis-ready.js';
import {
  DEFAULT_QUEUE_NAME,
  FAILED_JOBS_DEFAULTS,
  type FailedJobsBound,
  type RetrySettings,
} from './queue-contract.js';
import { validateSubmission, validateSubmissions } from './submission.js';
import type { CommittedTasks } from './task-lookup.js';
import { createTaskQueue } from './task-queue.js';
import type { TaskType } from './task-type.js';

/** The names of a list of task types (`typeof taskTypes`). */
export type TaskTypeName<T extends ReadonlyArray<TaskType>> = T[number]['name'];

/** The payload a task type of `T` named `K` accepts: its schema's input. */
export type PayloadOf<T extends ReadonlyArray<TaskType>, K extends TaskTypeName<T>> = z.input<
  Extract<T[number], { readonly name: K }>['payload']
>;

/** One task of any type of `T`, as `submitMany` takes it. */
export type TaskOf<T extends ReadonlyArray<TaskType>> = {
  [K in TaskTypeName<T>]: { readonly taskType: K; readonly payload: PayloadOf<T, K> };
}[TaskTypeName<T>];

/** The defaults of the settings the api and workers read from the environment. */
export const ENQUEUER_DEFAULTS = {
  queueName: DEFAULT_QUEUE_NAME,
  shards: 1,
  batchSize: 100,
  retry: { maxRetries: 3, backoffDelayMs: 1_000 },
  failedJobs: FAILED_JOBS_DEFAULTS,
} as const;

export interface EnqueuerOptions<T extends ReadonlyArray<TaskType>> {
  /**
   * The Redis the api and workers use. The enqueuer does not close it. Give it
   * `enableOfflineQueue: false`, as the api does, so a submission while Redis is down fails at
   * once with UnavailableError (nothing stored) rather than waiting for it. A submission made
   * while the connection is still making its first connect waits for it.
   */
  readonly redis: RedisClient;
  /** The task types, the same module the api and workers load (`SLUICE_TASKS`). */
  readonly taskTypes: T;
  /** `QUEUE_NAME` of the api and workers; default `tasks`. */
  readonly queueName?: string;
  /** `QUEUE_SHARDS` of the api and workers; default 1. A Redis Cluster client for `redis` on a cluster. */
  readonly shards?: number;
  /** `BATCH_SIZE`: tasks a parcel of a type without its own `batch.size` carries; default 100. */
  readonly batchSize?: number;
  /** `BATCH_MAX_RETRIES` and `BACKOFF_DELAY_MS`, which every job carries; default 3 and 1,000 ms. */
  readonly retry?: RetrySettings;
  /** `FAILED_JOBS_RETENTION` and `FAILED_JOBS_MAX`, which every job carries too; default 7 days and 10,000. */
  readonly failedJobs?: FailedJobsBound;
  /**
   * The committed tasks (a @sluice/store Store). With it, a keyed re-send finds tasks that ran
   * long ago, as the api does; without it, only while their jobs are in Redis: a completed job
   * leaves at once, so a re-send after that enqueues the task again (its row is still written
   * once, but its handler runs again).
   */
  readonly committed?: CommittedTasks;
  /**
   * Idempotency keys belong to a caller. With `apiKey`, they are those of that API key's
   * requests to the api, so a submission may be retried through either; without it, those of an
   * api with no `API_KEYS`.
   */
  readonly apiKey?: string;
  /** Errors of the queue's connection, which submissions see as UnavailableError. */
  readonly onError?: (error: Error) => void;
}

export interface SubmitOptions {
  /** The same 1–255 visible ASCII characters the api's Idempotency-Key header takes. */
  readonly idempotencyKey?: string;
}

/** A task enqueued, or found under its idempotency key. */
export interface Enqueued {
  readonly id: string;
  /** `QUEUED` when enqueued now; for a replay, the task's status now. */
  readonly status: string;
  /** Whether the key already named this task, so nothing was enqueued. */
  readonly replayed: boolean;
}

export interface EnqueuedMany {
  readonly accepted: number;
  /** Each task's id, in order. */
  readonly taskIds: ReadonlyArray<string>;
  /** Tasks enqueued now: all of them without a key, those neither Redis nor PostgreSQL held with one. */
  readonly enqueued: number;
}

export interface Enqueuer<T extends ReadonlyArray<TaskType>> {
  submit<K extends TaskTypeName<T>>(taskType: K, payload: PayloadOf<T, K>, options?: SubmitOptions): Promise<Enqueued>;
  submitMany(tasks: ReadonlyArray<TaskOf<T>>, options?: SubmitOptions): Promise<EnqueuedMany>;
  /** Closes the queue; the Redis connection is the caller's. */
  close(): Promise<void>;
}

const keyOf = (options: SubmitOptions | undefined): string | undefined => {
  const key = options?.idempotencyKey;
  if (key !== undefined && !IDEMPOTENCY_KEY.test(key)) {
    throw new RangeError('idempotencyKey must be 1 to 255 visible ASCII characters, as the Idempotency-Key header');
  }
  return key;
};

const enqueueing = async <R>(work: () => Promise<R>): Promise<R> => {
  try {
    return await work();
  } catch (error) {
    throw enqueueFailure(error);
  }
};

/**
 * Enqueues tasks straight into Redis, for a service on the same network as it: no HTTP hop, and
 * the api's rules exactly — the same validation (InvalidTaskError carries the api's 422 `errors`),
 * the same ids, parcels and job options, and the same idempotency (a key names the same tasks
 * through either, for the same caller). Errors are the api's answers as classes:
 * InvalidTaskError, IdempotencyKeyReusedError, UnavailableError, OutcomeUnknownError.
 *
 * @example
 * const enqueuer = createEnqueuer({ redis, taskTypes, committed: store });
 * const { id } = await enqueuer.submit('EMAIL', { to: 'ada@example.com' }, { idempotencyKey: 'welcome-ada' });
 */
export const createEnqueuer = <const T extends ReadonlyArray<TaskType>>(options: EnqueuerOptions<T>): Enqueuer<T> => {
  const catalog = createCatalog(options.taskTypes);
  const queue = createTaskQueue(options.redis, {
    queueName: options.queueName ?? ENQUEUER_DEFAULTS.queueName,
    shards: options.shards ?? ENQUEUER_DEFAULTS.shards,
    retry: options.retry ?? ENQUEUER_DEFAULTS.retry,
    failedJobs: options.failedJobs ?? ENQUEUER_DEFAULTS.failedJobs,
    catalog,
    defaultBatchSize: options.batchSize ?? ENQUEUER_DEFAULTS.batchSize,
    ...(options.onError === undefined ? {} : { onError: options.onError }),
  });
  const caller = options.apiKey === undefined ? undefined : callerOfApiKey(options.apiKey);
  const lookups = { queue, ...(options.committed === undefined ? {} : { committed: options.committed }) };

  return {
    submit: async (taskType, payload, submitOptions) => {
      const key = keyOf(submitOptions);
      const checked = validateSubmission(catalog, { taskType, payload });
      if (!checked.ok) throw new InvalidTaskError(checked.errors);
      await untilConnected(options.redis);
      if (key === undefined) {
        const [id = ''] = await enqueueing(() => queue.enqueue([checked.value], Date.now()));
        return { id, status: 'QUEUED', replayed: false };
      }
      const id = taskIdForKey(key, caller);
      const outcome = await submitKeyed(lookups, {
        key,
        submissions: [checked.value],
        ids: { own: [id], foreign: [] },
        enqueue: () => enqueueing(() => queue.enqueue([checked.value], Date.now(), id)),
        pointerOf: () => '',
      });
      const replayed = outcome.existed[0] === true;
      return { id, status: replayed ? (outcome.tasks[0]?.view.status ?? 'QUEUED') : 'QUEUED', replayed };
    },
    submitMany: async (tasks, submitOptions) => {
      const key = keyOf(submitOptions);
      const checked = validateSubmissions(catalog, tasks);
      if (!checked.ok) throw new InvalidTaskError(checked.errors);
      const submissions = checked.value;
      await untilConnected(options.redis);
      if (key === undefined) {
        const taskIds = await enqueueing(() => queue.enqueue(submissions, Date.now()));
        return { accepted: taskIds.length, taskIds, enqueued: taskIds.length };
      }
      const keyed = queue.keyedBulk(submissions, key, caller);
      const outcome = await submitKeyed(lookups, {
        key,
        submissions,
        ids: keyed.ids,
        enqueue: (missing) => enqueueing(() => keyed.enqueue(missing, Date.now())),
        pointerOf: (index) => `/tasks/${index}`,
      });
      return { accepted: submissions.length, taskIds: keyed.ids.own, enqueued: outcome.enqueued.length };
    },
    close: () => queue.close(),
  };
};
