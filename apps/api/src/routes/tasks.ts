import { Router, type Request } from 'express';
import type { Store } from '@sluice/store';
import type { Metrics } from '@sluice/telemetry';
import { isUuid, validateSubmission, type Catalog, type FieldError, type Submission } from '@sluice/tasks';
import { badRequest, HttpProblem, invalidTask, unavailable } from '../problem.js';
import type { TaskQueue } from '../task-queue.js';

/** Most tasks in one `{ "tasks": [...] }` request. */
export const MAX_BULK_TASKS = 10_000;
/** Most tasks one load-generator request `{ "count": n }` may make. */
export const MAX_GENERATED_TASKS = 100_000;
/** Generated tasks are enqueued this many at a time, so the api's memory stays flat. */
const GENERATOR_CHUNK = 1_000;

export interface TaskRoutesDeps {
  readonly catalog: Catalog;
  readonly queue: TaskQueue;
  readonly store: Pick<Store, 'findTask' | 'stats' | 'recentBatches'>;
  readonly metrics: Pick<Metrics, 'tasksSubmitted'>;
}

const requireJsonBody = (request: Request): unknown => {
  if (!request.is('application/json')) {
    throw new HttpProblem(415, 'unsupported-media-type', 'Unsupported media type', 'Send the body as JSON with Content-Type: application/json.');
  }
  return request.body;
};

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Runs a queue call, turning a Redis failure into a 503 that says nothing was accepted. */
const viaRedis = async <T>(work: () => Promise<T>): Promise<T> => {
  try {
    return await work();
  } catch (error) {
    throw unavailable('Redis', error);
  }
};

const viaPostgres = async <T>(work: () => Promise<T>): Promise<T> => {
  try {
    return await work();
  } catch (error) {
    throw unavailable('PostgreSQL', error);
  }
};

const parseGenerator = (catalog: Catalog, body: Record<string, unknown>): { count: number; types: ReadonlyArray<string> } => {
  const errors: FieldError[] = [];
  const { count, taskTypes } = body;
  for (const key of Object.keys(body)) {
    if (key !== 'count' && key !== 'taskTypes') errors.push({ pointer: `/${key}`, message: 'is not a known field (expected count and taskTypes)' });
  }
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > MAX_GENERATED_TASKS) {
    errors.push({ pointer: '/count', message: `must be a whole number from 1 to ${MAX_GENERATED_TASKS}` });
  }
  const types = taskTypes === undefined ? catalog.names : taskTypes;
  if (!Array.isArray(types) || types.length === 0) {
    errors.push({ pointer: '/taskTypes', message: `must be a non-empty list of task types: ${catalog.names.join(', ')}` });
  } else {
    types.forEach((name: unknown, index) => {
      if (typeof name !== 'string' || !catalog.get(name)) {
        errors.push({ pointer: `/taskTypes/${index}`, message: `unknown task type; known types: ${catalog.names.join(', ')}` });
      }
    });
  }
  if (errors.length > 0) throw invalidTask(errors);
  return { count: count as number, types: types as ReadonlyArray<string> };
};

/**
 * `/api/tasks`: submit one task, submit many (or generate load), look a task up, stats and the
 * recent batches.
 */
export const createTaskRoutes = ({ catalog, queue, store, metrics }: TaskRoutesDeps): Router => {
  const router = Router();
  const counted = (submissions: ReadonlyArray<Submission>): void => {
    const byType = new Map<string, number>();
    for (const s of submissions) byType.set(s.taskType, (byType.get(s.taskType) ?? 0) + 1);
    for (const [taskType, n] of byType) metrics.tasksSubmitted.inc({ task_type: taskType }, n);
  };

  router.post('/', async (request, response) => {
    const checked = validateSubmission(catalog, requireJsonBody(request));
    if (!checked.ok) throw invalidTask(checked.errors);
    const [id] = await viaRedis(() => queue.enqueue([checked.value], Date.now()));
    counted([checked.value]);
    response
      .status(202)
      .location(`/api/tasks/${id}`)
      .json({ id, taskType: checked.value.taskType, status: 'QUEUED', links: { self: `/api/tasks/${id}` } });
  });

  router.post('/batch', async (request, response) => {
    const body = requireJsonBody(request);
    if (!isObject(body)) throw badRequest('The body must be { "tasks": [...] } or { "count": n, "taskTypes": [...] }.');
    if ('tasks' in body) {
      const { tasks } = body;
      if (!Array.isArray(tasks) || tasks.length === 0 || tasks.length > MAX_BULK_TASKS) {
        throw invalidTask([{ pointer: '/tasks', message: `must be a list of 1 to ${MAX_BULK_TASKS} tasks` }]);
      }
      const submissions: Submission[] = [];
      const errors: FieldError[] = [];
      tasks.forEach((task: unknown, index) => {
        const checked = validateSubmission(catalog, task, `/tasks/${index}`);
        if (checked.ok) submissions.push(checked.value);
        else errors.push(...checked.errors);
      });
      if (errors.length > 0) throw invalidTask(errors.slice(0, 100));
      // One addBulk for the whole request: a single MULTI, so the request is enqueued whole or not at all.
      const ids = await viaRedis(() => queue.enqueue(submissions, Date.now()));
      counted(submissions);
      response.status(202).json({ accepted: ids.length, taskIds: ids });
      return;
    }
    const { count, types } = parseGenerator(catalog, body);
    const ids: string[] = [];
    for (let start = 0; start < count; start += GENERATOR_CHUNK) {
      const chunk: Submission[] = [];
      for (let n = start; n < Math.min(count, start + GENERATOR_CHUNK); n += 1) {
        const taskType = types[n % types.length]!;
        chunk.push({ taskType, payload: catalog.get(taskType)!.sample(n) });
      }
      ids.push(...(await viaRedis(() => queue.enqueue(chunk, Date.now()))));
      counted(chunk);
    }
    response.status(202).json({ accepted: ids.length, taskIds: ids });
  });

  router.get('/stats', async (_request, response) => {
    const [committed, queued] = await Promise.all([
      viaPostgres(() => store.stats()),
      viaRedis(() => queue.counts()),
    ]);
    response.json({ ...committed, queue: queued });
  });

  router.get('/batches', async (request, response) => {
    const limitText = request.query['limit'];
    const before = request.query['before'];
    const limit = limitText === undefined ? 20 : Number(limitText);
    if (!Number.isInteger(limit) || limit < 1 || limit > 500) {
      throw badRequest('limit must be a whole number from 1 to 500.', [{ pointer: '/limit', message: 'must be 1 to 500' }]);
    }
    if (before !== undefined && (typeof before !== 'string' || !isUuid(before))) {
      throw badRequest('before must be a batch id (the nextCursor of a previous page).');
    }
    const page = await viaPostgres(() =>
      store.recentBatches(typeof before === 'string' ? { limit, before } : { limit }),
    );
    response.json(page);
  });

  router.get('/:id', async (request, response) => {
    const { id } = request.params;
    if (!isUuid(id)) throw badRequest(`${JSON.stringify(id.slice(0, 64))} is not a task id (a UUID).`);
    const fromStore = async () => {
      const row = await viaPostgres(() => store.findTask(id));
      return row && {
        id: row.id,
        taskType: row.taskType,
        status: row.status,
        attempts: row.attempts,
        result: row.result ?? null,
        error: row.error ?? null,
        batchId: row.batchId,
        submittedAt: row.submittedAt,
        committedAt: row.committedAt,
      };
    };
    const committed = await fromStore();
    if (committed) {
      response.json(committed);
      return;
    }
    const queued = await viaRedis(() => queue.find(id));
    // A job BullMQ calls completed has committed its row: it may have landed after our first look.
    const again = queued === undefined || queued.state === 'COMPLETED' ? await fromStore() : undefined;
    if (again) {
      response.json(again);
      return;
    }
    if (!queued) {
      throw new HttpProblem(404, 'task-not-found', 'Task not found', `No task has the id ${id}.`);
    }
    response.json({
      id,
      taskType: queued.taskType,
      status: queued.state,
      attempts: queued.attempts,
      result: null,
      error: queued.error,
      batchId: null,
      submittedAt: queued.submittedAt,
      committedAt: null,
    });
  });

  return router;
};
