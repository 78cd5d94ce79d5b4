/**
 * The bench as a producer of plain BullMQ, as a user without Sluice would write one: every task a
 * job of its own, named by its type, with the data a single `POST /api/tasks` enqueues
 * (`{ payload, submittedAt }`) and Sluice's job options, added with `Queue.addBulk` a list a
 * call. The bulk scenario feeds the no-op worker so: BullMQ's per-job ceiling, which the api,
 * cutting bulk requests into parcels, would not give.
 */
import type { JobsOptions, Queue } from 'bullmq';
import type { JobData } from '@sluice/tasks';
import { eachInFlight } from './in-flight.js';
import type { SampleTask } from './sample-tasks.js';

/** A job as `Queue.addBulk` takes it. */
export interface TaskJob {
  readonly name: string;
  readonly data: JobData;
  readonly opts: JobsOptions;
}

/**
 * One job per task, accepted at `submittedAt`. No job id: BullMQ numbers the jobs itself, as
 * it does for a user who sets none.
 *
 * @example
 * jobsOfTasks([sampleTaskOf('EMAIL', 0)], Date.now(), jobOptions(retry));
 * // [{ name: 'EMAIL', data: { payload: { to: 'user0@example.com', … }, submittedAt }, opts }]
 */
export const jobsOfTasks = (
  tasks: ReadonlyArray<SampleTask>,
  submittedAt: number,
  opts: JobsOptions,
): ReadonlyArray<TaskJob> =>
  tasks.map((task) => ({ name: task.taskType, data: { payload: task.payload, submittedAt }, opts }));

/**
 * Adds each list as one `addBulk` of a job per task, `inFlight` calls at all times, and resolves
 * once every job was added. The first failure rejects and no list is added after it.
 *
 * @example
 * await addTaskLists(queue, bulkTaskLists(100_000, 1_000, 'EMAIL'), 4, jobOptions(retry));
 */
export const addTaskLists = (
  queue: Queue,
  lists: ReadonlyArray<ReadonlyArray<SampleTask>>,
  inFlight: number,
  opts: JobsOptions,
): Promise<void> =>
  eachInFlight(lists, inFlight, async (tasks) => {
    await queue.addBulk([...jobsOfTasks(tasks, Date.now(), opts)]);
  });
