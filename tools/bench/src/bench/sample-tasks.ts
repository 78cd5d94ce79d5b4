/**
 * The tasks the bench submits and writes: payloads shaped like the demo catalog's EMAIL, SMS
 * and PUSH types (which the api validates them against), the tasks the api's load generator
 * makes, and finished groups for the commit scenario. Deterministic in `n`, so every run sends
 * the same bytes.
 */
import type { GroupCommit, TaskRow } from '@sluice/store';
import { createDemoCatalog, newId, type Submission } from '@sluice/tasks';

export type DemoTaskType = 'EMAIL' | 'SMS' | 'PUSH';

export const DEMO_TASK_TYPES: ReadonlyArray<DemoTaskType> = Object.freeze(['EMAIL', 'SMS', 'PUSH']);

/** A task as `POST /api/tasks` takes it, and as each item of a bulk body's `tasks`. */
export interface SampleTask {
  readonly taskType: DemoTaskType;
  readonly payload: Readonly<Record<string, string>>;
}

/**
 * The `n`-th task of a load of one type.
 *
 * @example
 * sampleTaskOf('SMS', 7); // { taskType: 'SMS', payload: { to: '+15550000007', message: 'Code 7' } }
 */
export const sampleTaskOf = (taskType: DemoTaskType, n: number): SampleTask => {
  switch (taskType) {
    case 'EMAIL':
      return {
        taskType,
        payload: { to: `user${n}@example.com`, subject: `Hello #${n}`, body: 'Sent by the Sluice benchmark' },
      };
    case 'SMS':
      return {
        taskType,
        payload: { to: `+1555${String(n % 10_000_000).padStart(7, '0')}`, message: `Code ${n % 1_000_000}` },
      };
    case 'PUSH':
      return { taskType, payload: { deviceToken: `device-${n.toString(16).padStart(8, '0')}`, title: `Update #${n}` } };
  }
};

/**
 * The `n`-th task of a mixed load: the types take turns.
 *
 * @example
 * sampleTask(0); // { taskType: 'EMAIL', payload: { to: 'user0@example.com', … } }
 */
export const sampleTask = (n: number): SampleTask =>
  sampleTaskOf(DEMO_TASK_TYPES[n % DEMO_TASK_TYPES.length] ?? 'EMAIL', n);

/** Most tasks the api generates in one `{ "count": n }` request. */
const MAX_GENERATED_PER_REQUEST = 100_000;

/** Tasks the api's generator enqueues at a time (one `addBulk`), as apps/api's `GENERATOR_CHUNK`. */
export const GENERATOR_CHUNK = 1_000;

/**
 * How many tasks each of the generator requests that carry `count` tasks asks for: `requests` of
 * them, or more when one would ask for more than the api generates at once, the first taking one
 * more than the rest until the remainder runs out.
 *
 * @example
 * generatorRequestSizes(10, 4); // [3, 3, 2, 2]
 */
export const generatorRequestSizes = (count: number, requests: number): ReadonlyArray<number> => {
  const parts = Math.max(requests, Math.ceil(count / MAX_GENERATED_PER_REQUEST));
  return Array.from({ length: parts }, (_, index) => Math.floor(count / parts) + (index < count % parts ? 1 : 0));
};

/**
 * The tasks one `POST /api/tasks/batch {"count": count, "taskTypes": taskTypes}` makes, as the
 * api makes them: the types take turns, and the `n`-th task (from 0 in every request) carries its
 * type's `sample(n)` of the demo catalog.
 *
 * @example
 * generatedTasks(2, ['EMAIL', 'SMS']);
 * // [{ taskType: 'EMAIL', payload: { to: 'user0@example.com', … } }, { taskType: 'SMS', payload: { to: '+15550000001', … } }]
 */
export const generatedTasks = (count: number, taskTypes: ReadonlyArray<DemoTaskType>): ReadonlyArray<Submission> => {
  const catalog = createDemoCatalog({ failureRate: 0, workMs: 0 });
  const samples = taskTypes.map((taskType) => {
    const sample = catalog.get(taskType)?.sample;
    if (sample === undefined) throw new Error(`generatedTasks: the demo catalog has no sample for ${taskType}`);
    return { taskType, sample };
  });
  return Array.from({ length: count }, (_, n): Submission => {
    const turn = samples[n % samples.length];
    if (turn === undefined) throw new Error('generatedTasks: no task types to generate');
    return { taskType: turn.taskType, payload: turn.sample(n) };
  });
};

/**
 * The tasks of a generator load of `count` tasks split over `requests` requests (see
 * {@link generatorRequestSizes}), in the lists of {@link GENERATOR_CHUNK} the api enqueues each
 * request's tasks in: what the api adds to BullMQ for that load, a list an `addBulk`, before it
 * cuts a list into parcels.
 *
 * @example
 * generatedTaskLists(2_500, ['EMAIL'], 2).map((tasks) => tasks.length); // [1000, 250, 1000, 250]
 */
export const generatedTaskLists = (
  count: number,
  taskTypes: ReadonlyArray<DemoTaskType>,
  requests: number,
): ReadonlyArray<ReadonlyArray<Submission>> =>
  generatorRequestSizes(count, requests).flatMap((size) => {
    const tasks = generatedTasks(size, taskTypes);
    return Array.from({ length: Math.ceil(size / GENERATOR_CHUNK) }, (_, index) =>
      tasks.slice(index * GENERATOR_CHUNK, (index + 1) * GENERATOR_CHUNK),
    );
  });

/** One `POST /api/tasks/batch` body with an explicit task list, and how many tasks it holds. */
export interface BulkBody {
  readonly json: string;
  readonly tasks: number;
}

/**
 * `total` tasks of one type in lists of `perList`, the last holding the rest, numbered across the
 * lists so that no two payloads are alike.
 *
 * @example
 * bulkTaskLists(2_500, 1_000, 'EMAIL').map((tasks) => tasks.length); // [1000, 1000, 500]
 */
export const bulkTaskLists = (
  total: number,
  perList: number,
  taskType: DemoTaskType,
): ReadonlyArray<ReadonlyArray<SampleTask>> =>
  Array.from({ length: Math.ceil(total / perList) }, (_, index) => {
    const first = index * perList;
    return Array.from({ length: Math.min(perList, total - first) }, (_, i) => sampleTaskOf(taskType, first + i));
  });

/**
 * `total` tasks of one type as `{ "tasks": [...] }` bodies of `perRequest` each (see
 * {@link bulkTaskLists}). Built before a run starts, so that the client's JSON work is not part
 * of what is timed.
 *
 * @example
 * bulkBodies(2_500, 1_000, 'EMAIL').map((body) => body.tasks); // [1000, 1000, 500]
 */
export const bulkBodies = (total: number, perRequest: number, taskType: DemoTaskType): ReadonlyArray<BulkBody> =>
  bulkTaskLists(total, perRequest, taskType).map(bulkBodyOf);

/** The `POST /api/tasks/batch` body of an explicit task list. */
export const bulkBodyOf = (tasks: ReadonlyArray<SampleTask>): BulkBody => ({
  json: JSON.stringify({ tasks }),
  tasks: tasks.length,
});

/**
 * A finished group as a worker hands it to the store: EMAIL tasks of a few hundred bytes of
 * JSON each (with quotes, backslashes, tabs and non-ASCII, which every encoding must escape),
 * one in ten failed.
 *
 * @example
 * await store.commitGroup(sampleGroup(100));
 */
export const sampleGroup = (size: number): GroupCommit => {
  const now = Date.now();
  const tasks: TaskRow[] = Array.from({ length: size }, (_, i) => {
    const id = newId(now);
    const failed = i % 10 === 9;
    return {
      id,
      taskType: 'EMAIL',
      payload: {
        to: `user-${id.slice(-8)}@example.com`,
        subject: 'Your "weekly" digest \\ résumé ✉',
        body: 'Hello,\n\tthis is line two of a body long enough to look like a real message.',
        tags: ['digest', 'weekly'],
        priority: i % 3,
      },
      status: failed ? 'FAILED' : 'COMPLETED',
      result: failed ? null : { messageId: `msg-${id.slice(-12)}`, accepted: true },
      error: failed ? 'mailbox unavailable: "550 5.1.1"' : null,
      attempts: failed ? 4 : 1,
      submittedAt: new Date(now - 1_500),
      startedAt: new Date(now - 20),
    };
  });
  return {
    batch: {
      id: newId(now),
      workerId: 'bench',
      taskType: 'EMAIL',
      trigger: 'size',
      openedAt: new Date(now - 1_500),
      flushedAt: new Date(now - 20),
      handlerMs: 3.2,
      size,
    },
    tasks,
  };
};
