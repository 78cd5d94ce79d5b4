import type { JobsOptions } from 'bullmq';
import type { Catalog } from './catalog.js';
import type { JobData, ParcelData, ParcelTask } from './job-data.js';
import { keyedParcelIds, type KeyedParcelIds } from './keyed-parcels.js';
import { newParcelBase, withParcelFields } from './parcel-id.js';
import { planParcels, type PlannedParcel } from './parcel-plan.js';
import { shardOf } from './shard-of.js';
import type { Submission } from './submission.js';
import { newId } from './task-id.js';

/** A job as `queue.add` and `queue.addBulk` take it, its id always set. */
export interface NewJob<Data> {
  readonly name: string;
  readonly data: Data;
  readonly opts: JobsOptions & { readonly jobId: string };
}

/** What an unkeyed bulk submission goes into the queue as. */
export interface BulkJobs {
  readonly jobs: ReadonlyArray<NewJob<JobData | ParcelData>>;
  /** Each submission's task id, in request order. */
  readonly ids: ReadonlyArray<string>;
  /** Tasks the parcels among `jobs` carry beyond their one job each: Σ (tasks − 1). */
  readonly extraTasks: number;
}

/** The job of one task: named by its type, its id the task's, as every single submission travels. */
export const singleJob = (
  submission: Submission,
  id: string,
  submittedAt: number,
  opts: JobsOptions,
): NewJob<JobData> => ({
  name: submission.taskType,
  data: { payload: submission.payload, submittedAt },
  opts: { ...opts, jobId: id },
});

/** The job of a parcel's tasks: named by its type, its data keeping the parcel's group key. */
const parcelJob = (
  parcel: PlannedParcel,
  tasks: ReadonlyArray<ParcelTask>,
  jobId: string,
  submittedAt: number,
  opts: JobsOptions,
): NewJob<ParcelData> => ({
  name: parcel.taskType,
  data: { submittedAt, ...(parcel.key === undefined ? {} : { key: parcel.key }), tasks },
  opts: { ...opts, jobId },
});

/**
 * The jobs of an unkeyed bulk submission: `planParcels` cuts it by type and `groupBy` key into
 * parcels of at most their type's batch size; a parcel of one task is that task's own job, and
 * one of more is a single job carrying them all, whose id is a new parcel base and whose tasks'
 * ids are that base with their index (see parcel-id.ts). Pure but for the new
 * ids' randomness.
 *
 * With `shard`, every job's id is drawn until it routes to that shard of `shards` (shardOf), so
 * the whole request goes into one queue in one addBulk: all enqueued or none, however many
 * shards there are. A draw succeeds with odds 1 in `shards`.
 *
 * @example
 * const { jobs, ids } = bulkJobs(catalog, submissions, { submittedAt, defaultBatchSize: 100, opts });
 * await queue.addBulk(jobs); // 250 EMAIL tasks: 3 jobs; ids[i] is the id of submissions[i]
 */
export const bulkJobs = (
  catalog: Catalog,
  submissions: ReadonlyArray<Submission>,
  options: {
    readonly submittedAt: number;
    /** Tasks a parcel of a type without its own `batch.size` carries at most (BATCH_SIZE). */
    readonly defaultBatchSize: number;
    readonly opts: JobsOptions;
    /** The shard every job goes to, of how many (QUEUE_SHARDS). Default: shard 0 of 1. */
    readonly shard?: { readonly index: number; readonly of: number };
  },
): BulkJobs => {
  const { submittedAt, opts } = options;
  const { index: shard, of: shards } = options.shard ?? { index: 0, of: 1 };
  const onShard = (draw: () => string): string => {
    let id = draw();
    while (shardOf(id, shards) !== shard) id = draw();
    return id;
  };
  const ids = new Array<string>(submissions.length);
  const jobs: Array<NewJob<JobData | ParcelData>> = [];
  let extraTasks = 0;
  for (const parcel of planParcels(catalog, submissions, options.defaultBatchSize)) {
    const [only] = parcel.positions;
    const submission = only === undefined ? undefined : submissions[only];
    if (parcel.positions.length === 1 && only !== undefined && submission !== undefined) {
      const id = onShard(() => newId(submittedAt));
      ids[only] = id;
      jobs.push(singleJob(submission, id, submittedAt, opts));
      continue;
    }
    const base = onShard(() => newParcelBase(submittedAt));
    const tasks = parcel.positions.map((position, index): ParcelTask => {
      const id = withParcelFields(base, { index });
      ids[position] = id;
      return { id, payload: submissions[position]?.payload };
    });
    jobs.push(parcelJob(parcel, tasks, base, submittedAt, opts));
    extraTasks += tasks.length - 1;
  }
  return { jobs, ids, extraTasks };
};

/** The parcel jobs of a keyed bulk submission's missing tasks: a parcel of one is a parcel job too. */
export interface KeyedJobs extends BulkJobs {
  readonly jobs: ReadonlyArray<NewJob<ParcelData>>;
}

/** What a keyed bulk submission goes into the queue as, once its missing tasks are known. */
export interface KeyedBulk {
  /** The request's ids: its own in request order, and those a first body of another shape had. */
  readonly ids: KeyedParcelIds;
  /**
   * The jobs that enqueue the tasks at `missing` (places in the request): each parcel with its
   * missing tasks, under the parcel's job id, so a re-send that finds a whole parcel missing
   * adds the job the first request would have, and BullMQ holds it once.
   */
  jobsFor(missing: ReadonlyArray<number>, submittedAt: number): KeyedJobs;
}

/**
 * A bulk submission sent with an Idempotency-Key: cut into parcels like any other (planParcels),
 * with ids from the key (keyedParcelIds), so a re-send names the same tasks and
 * the same parcel jobs. Pure.
 *
 * @example
 * const keyed = keyedBulkJobs(catalog, submissions, { key, caller, defaultBatchSize: 100, opts });
 * const missing = positionsNotFound(keyed.ids.own);
 * await queue.addBulk([...keyed.jobsFor(missing, Date.now()).jobs]);
 */
export const keyedBulkJobs = (
  catalog: Catalog,
  submissions: ReadonlyArray<Submission>,
  options: {
    readonly key: string;
    readonly caller: string | undefined;
    readonly defaultBatchSize: number;
    readonly opts: JobsOptions;
  },
): KeyedBulk => {
  const plan = planParcels(catalog, submissions, options.defaultBatchSize);
  const ids = keyedParcelIds(options.key, plan, submissions.length, options.caller);
  return {
    ids,
    jobsFor: (missing, submittedAt) => {
      const wanted = new Set(missing);
      const jobs: Array<NewJob<ParcelData>> = [];
      let extraTasks = 0;
      plan.forEach((parcel, p) => {
        const tasks = parcel.positions
          .filter((position) => wanted.has(position))
          .map((position): ParcelTask => ({ id: ids.own[position] ?? '', payload: submissions[position]?.payload }));
        const jobId = ids.jobIds[p];
        if (tasks.length === 0 || jobId === undefined) return;
        jobs.push(parcelJob(parcel, tasks, jobId, submittedAt, options.opts));
        extraTasks += tasks.length - 1;
      });
      return { jobs, ids: ids.own, extraTasks };
    },
  };
};
