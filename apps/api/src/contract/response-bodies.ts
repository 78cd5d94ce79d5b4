import { z } from 'zod';
import type { FlushTrigger } from '@sluice/store';
import { TASK_TYPE_NAME } from '@sluice/tasks';

// What the api answers on success, as zod schemas: the OpenAPI document is generated from them
// (`io: 'output'`), and the api's specs parse real answers with them, so a field the api adds or
// drops fails a spec instead of going undocumented.

/** Every status a task may have, as `GET /api/tasks/:id` shows it. */
export const TASK_STATUSES = Object.freeze(['QUEUED', 'ACTIVE', 'DELAYED', 'COMPLETED', 'FAILED'] as const);

/** Each flush trigger once: the compiler fails here when @sluice/store's `FlushTrigger` changes. */
const FLUSH_TRIGGERS = Object.keys({
  size: true,
  timeout: true,
  pressure: true,
  shutdown: true,
} satisfies Record<FlushTrigger, true>) as [FlushTrigger, ...FlushTrigger[]];

const taskId = z.guid().describe('A task id (a UUID).');
const taskType = z.string().regex(TASK_TYPE_NAME).describe('A task type of the catalog.');
const taskStatus = z.enum(TASK_STATUSES);
const count = z.int().min(0);
const timestamp = z.iso.datetime().describe('ISO 8601, UTC.');
const links = z.object({ self: z.string().describe('The task: `GET` it to follow its status.') });

/** `202` of `POST /api/tasks`. */
export const acceptedTask = z.object({ id: taskId, taskType, status: z.literal('QUEUED'), links });

/** `GET /api/tasks/:id`: from PostgreSQL once committed, from BullMQ before. */
export const taskView = z.object({
  id: taskId,
  taskType,
  status: taskStatus,
  attempts: count.describe('Attempts made so far, the running one included.'),
  result: z.unknown().describe("The handler's result, any JSON value; `null` until the task completed."),
  error: z.string().nullable().describe('Why the last attempt failed; `null` if none did.'),
  batchId: z.guid().nullable().describe('The batch that committed the task; `null` before.'),
  submittedAt: timestamp,
  committedAt: timestamp.nullable().describe('When its row was committed; `null` before.'),
});

/** `200` of a keyed `POST /api/tasks` replay: the task as it is now. */
export const replayedTask = taskView.extend({ links });

/** `202` of `POST /api/tasks/batch`; `enqueued` and `tasks` come with an Idempotency-Key only. */
export const acceptedTasks = z.object({
  accepted: count.describe('Tasks accepted: all of the request.'),
  taskIds: z.array(taskId).describe("The tasks' ids, `taskIds[i]` being that of `tasks[i]`."),
  enqueued: count
    .optional()
    .describe('With an Idempotency-Key: tasks enqueued by this request, 0 for a replay that went through before.'),
  tasks: z
    .array(z.object({ id: taskId, status: taskStatus }))
    .optional()
    .describe("With an Idempotency-Key: each task's status as it is now."),
});

/** What a group did with its tasks: rows written, tasks sent back, redeliveries skipped. */
const tally = {
  completed: count,
  failed: count,
  retried: count,
  duplicates: count,
};

/** `GET /api/tasks/stats`: aggregated from the `batches` table, plus BullMQ's job counts. */
export const taskStats = z.object({
  totals: z.object({
    batches: count,
    tasks: count.describe('Task rows written: `completed + failed`.'),
    ...tally,
  }),
  byTaskType: z.array(
    z.object({
      taskType,
      batches: count,
      ...tally,
      averageGroupSize: z.number().describe('Mean tasks per group, retried ones included.'),
    }),
  ),
  flushesByTrigger: z.record(z.enum(FLUSH_TRIGGERS), count).describe('Groups released, by why.'),
  commitMs: z
    .object({ average: z.number().nullable(), p95: z.number().nullable() })
    .describe('Server-side commit time of a group, in ms; `null` before any batch.'),
  queue: z
    .record(z.string(), count)
    .describe('BullMQ job counts by state (`waiting`, `active`, `delayed`, …): a parcel of tasks is one job.'),
});

/** One committed group, as `GET /api/tasks/batches` lists it. */
export const batchRecord = z.object({
  id: z.guid(),
  workerId: z.string(),
  taskType,
  groupKey: z.string().nullable().describe("The `groupBy` key of the group's tasks; `null` for a type without one."),
  size: count,
  ...tally,
  trigger: z.enum(FLUSH_TRIGGERS),
  openedAt: timestamp,
  flushedAt: timestamp,
  committedAt: timestamp,
  handlerMs: z.number().min(0),
  commitMs: z.number().min(0),
});

/** `GET /api/tasks/batches`: newest first. */
export const batchPage = z.object({
  items: z.array(batchRecord),
  nextCursor: z.guid().optional().describe('Pass as `before` for the next, older page; absent on the last page.'),
});

/** `GET /api/tasks/throughput`: one point per second, oldest first, zeros for quiet seconds. */
export const throughput = z.object({
  until: z.int().describe("The window's end, excluded, in epoch ms on the database's clock."),
  intervalMs: z.literal(1_000),
  points: z.array(
    z.object({
      at: z.int().describe('The start of the second, epoch ms.'),
      tasks: count.describe('Task rows committed in that second.'),
      batches: count,
    }),
  ),
});
