/**
 * The bench as a producer of plain BullMQ, as a user without Sluice would write one: every task a
 * job of its own, named by its type, with the data a single `POST /api/tasks` enqueues
 * (`{ payload, submittedAt }`) and Sluice's job options, added with `Queue.addBulk` a list a
 * call. The throughput and bulk scenarios feed the plain BullMQ workers so: BullMQ's per-job
 * cost, which the api, cutting bulk requests into parcels, would not give.
 */
import type { JobsOptions, Queue } from 'bullmq';
import { newId, type JobData, type Submission } from '@sluice/tasks';
import { eachInFlight } from './in-flight.js';

/** A job as `Queue.addBulk` takes it. */
export interface TaskJob {
  readonly name: string;
  readonly data: JobData;
  readonly opts: JobsOptions;
}

/**
 * Who names the jobs. `bullmq`: no job id, BullMQ numbers them, as it does for a user who sets
 * none. `task`: each job's id is a new task id (a UUIDv7), as the api names a single task's job,
 * for a consumer that keys its row by the job's id (the per-job INSERT worker: `tasks.id` is a
 * UUID).
 */
export type JobIds = 'bullmq' | 'task';

/**
 * One job per task, accepted at `submittedAt`.
 *
 * @example
 * jobsOfTasks([sampleTaskOf('EMAIL', 0)], Date.now(), jobOptions(retry));
 * // [{ name: 'EMAIL', data: { payload: { to: 'user0@example.com', … }, submittedAt }, opts }]
 */
export const jobsOfTasks = (
  tasks: ReadonlyArray<Submission>,
  submittedAt: number,
  opts: JobsOptions,
  ids: JobIds = 'bullmq',
): ReadonlyArray<TaskJob> =>
  tasks.map((task) => ({
    name: task.taskType,
    data: { payload: task.payload, submittedAt },
    opts: ids === 'task' ? { ...opts, jobId: newId(submittedAt) } : opts,
  }));

/**
 * Adds each list as one `addBulk` of a job per task, `inFlight` calls at all times, and resolves
 * once every job was added. The first failure rejects and no list is added after it.
 *
 * @example
 * await addTaskLists(queue, bulkTaskLists(100_000, 1_000, 'EMAIL'), 4, jobOptions(retry));
 */
export const addTaskLists = (
  queue: Queue,
  lists: ReadonlyArray<ReadonlyArray<Submission>>,
  inFlight: number,
  opts: JobsOptions,
  ids: JobIds = 'bullmq',
): Promise<void> =>
  eachInFlight(lists, inFlight, async (tasks) => {
    await queue.addBulk([...jobsOfTasks(tasks, Date.now(), opts, ids)]);
  });
