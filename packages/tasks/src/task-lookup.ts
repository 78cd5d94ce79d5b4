import type { QueuedTask } from './queued-tasks.js';
import { UnavailableError } from './enqueue-errors.js';
import type { TaskQueue } from './task-queue.js';

/** A task as `GET /api/tasks/:id` and a keyed replay show it. */
export interface TaskView {
  readonly id: string;
  readonly taskType: string;
  readonly status: string;
  readonly attempts: number;
  readonly result: unknown;
  readonly error: string | null;
  readonly batchId: string | null;
  readonly submittedAt: Date;
  readonly committedAt: Date | null;
}

/** A task found in PostgreSQL or BullMQ: its view, and what it was submitted as. */
export interface FoundTask {
  readonly taskType: string;
  readonly payload: unknown;
  readonly view: TaskView;
}

/** A committed `tasks` row, as far as a lookup shows it; @sluice/store's TaskRecord is one. */
export interface CommittedTask {
  readonly id: string;
  readonly taskType: string;
  readonly payload: unknown;
  readonly status: string;
  readonly attempts: number;
  readonly result?: unknown;
  readonly error?: string | null;
  readonly batchId: string;
  readonly submittedAt: Date;
  readonly committedAt: Date;
}

/** Where committed tasks are found: @sluice/store's Store is one. */
export interface CommittedTasks {
  /** The committed rows among `ids`; ids without a row are absent. */
  findTasks(ids: ReadonlyArray<string>): Promise<ReadonlyArray<CommittedTask>>;
}

export const foundInStore = (row: CommittedTask): FoundTask => ({
  taskType: row.taskType,
  payload: row.payload,
  view: {
    id: row.id,
    taskType: row.taskType,
    status: row.status,
    attempts: row.attempts,
    result: row.result ?? null,
    error: row.error ?? null,
    batchId: row.batchId,
    submittedAt: row.submittedAt,
    committedAt: row.committedAt,
  },
});

export const foundInQueue = (job: QueuedTask): FoundTask => ({
  taskType: job.taskType,
  payload: job.payload,
  view: {
    id: job.id,
    taskType: job.taskType,
    status: job.state,
    attempts: job.attempts,
    result: null,
    error: job.error,
    batchId: null,
    submittedAt: job.submittedAt,
    committedAt: null,
  },
});

/**
 * States in which a job has no row yet, so BullMQ alone tells what the task is. A completed job
 * has its row; a failed one usually has (a final failure commits a FAILED row), and the row says
 * more than the job.
 */
const UNSETTLED: ReadonlySet<QueuedTask['state']> = new Set(['QUEUED', 'ACTIVE', 'DELAYED']);

/** What a keyed submission looks its tasks up in. */
export interface LookupDeps {
  readonly queue: Pick<TaskQueue, 'findMany'>;
  /**
   * The committed rows. Without it only Redis is asked, so a task whose job has left Redis
   * (a completed job leaves at once) is not found.
   */
  readonly committed?: CommittedTasks;
}

/**
 * Looks up tasks for a keyed submission: BullMQ first, then PostgreSQL for the ids BullMQ does
 * not hold as waiting, active or delayed. In that order no task slips between the two looks: a
 * job is removed only after its row is committed, so a job missed in Redis has its row by the
 * time PostgreSQL is asked. So when Redis holds every id unsettled, PostgreSQL is not asked at
 * all, and a replay is answered while it is down; when it is down and an id is not in Redis,
 * the lookup fails with `UnavailableError`, as it does while Redis is down.
 *
 * @example
 * const found = await lookUpTasks({ queue, committed: store }, ids);
 * const missing = ids.filter((id) => !found.has(id));
 */
export const lookUpTasks = async (
  deps: LookupDeps,
  ids: ReadonlyArray<string>,
): Promise<ReadonlyMap<string, FoundTask>> => {
  let jobs: ReadonlyArray<QueuedTask>;
  try {
    jobs = await deps.queue.findMany(ids);
  } catch (error) {
    throw new UnavailableError('Redis', error);
  }
  const queued = new Map(jobs.map((job) => [job.id, job]));
  const found = new Map<string, FoundTask>();
  const ask: string[] = [];
  for (const id of ids) {
    const job = queued.get(id);
    if (job !== undefined && UNSETTLED.has(job.state)) found.set(id, foundInQueue(job));
    else ask.push(id);
  }
  if (ask.length === 0) return found;
  let rows: ReadonlyArray<CommittedTask> = [];
  if (deps.committed !== undefined) {
    try {
      rows = await deps.committed.findTasks(ask);
    } catch (error) {
      // Completed or failed jobs still in Redis answer for themselves; a missing one needs the rows.
      if (!ask.every((id) => queued.has(id))) throw new UnavailableError('PostgreSQL', error);
    }
  }
  for (const row of rows) found.set(row.id, foundInStore(row));
  for (const id of ask) {
    const job = queued.get(id);
    if (!found.has(id) && job !== undefined) found.set(id, foundInQueue(job));
  }
  return found;
};
