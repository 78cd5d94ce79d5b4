import { Router, type Request } from 'express';
import { MAX_THROUGHPUT_SECONDS, type Store } from '@sluice/store';
import type { Metrics } from '@sluice/telemetry';
import {
  enqueueFailure,
  foundInQueue,
  foundInStore,
  IDEMPOTENCY_KEY,
  isUuid,
  taskIdForKey,
  validateSubmission,
  validateSubmissions,
  type Catalog,
  type FieldError,
  type FoundTask,
  type Submission,
  type TaskQueue,
} from '@sluice/tasks';
import { clientOf } from '../api-key-auth.js';
import type { Backpressure } from '../backpressure.js';
import { generatorRequest, sampledTypes } from '../contract/generator-request.js';
import { MAX_BATCHES_LIMIT, MAX_GENERATED_TASKS, MAX_GENERATOR_TYPES } from '../contract/limits.js';
import { batchesQuery, throughputQuery } from '../contract/query-parameters.js';
import { submitKeyed, type KeyedSubmissionDeps } from '../keyed-submission.js';
import { enqueueProblem } from '../enqueue-problem.js';
import { badRequest, HttpProblem, invalidTask, unavailable } from '../problem.js';

// The limits live with the HTTP contract, which the OpenAPI document is built from.
export { MAX_BULK_TASKS, MAX_GENERATED_TASKS, MAX_GENERATOR_TYPES } from '../contract/limits.js';
/** Generated tasks are enqueued this many at a time, so the api's memory stays flat. */
const GENERATOR_CHUNK = 1_000;

export interface TaskRoutesDeps {
  readonly catalog: Catalog;
  readonly queue: TaskQueue;
  readonly store: Pick<Store, 'findTask' | 'findTasks' | 'stats' | 'recentBatches' | 'throughput'>;
  readonly metrics: Pick<Metrics, 'tasksSubmitted'>;
  /** Refuses submissions that would take the queue above its high-water mark; default: never. */
  readonly backpressure?: Backpressure;
}

const requireJsonBody = (request: Request): unknown => {
  if (!request.is('application/json')) {
    throw new HttpProblem(
      415,
      'unsupported-media-type',
      'Unsupported media type',
      'Send the body as JSON with Content-Type: application/json.',
    );
  }
  return request.body;
};

/** The request's Idempotency-Key, if it sent one; a malformed key is a 400. */
const idempotencyKeyOf = (request: Request): string | undefined => {
  const key = request.get('idempotency-key');
  if (key === undefined) return undefined;
  if (!IDEMPOTENCY_KEY.test(key)) {
    throw badRequest('The Idempotency-Key header must be 1 to 255 visible ASCII characters.', [
      { pointer: '/headers/idempotency-key', message: 'must be 1 to 255 visible ASCII characters' },
    ]);
  }
  return key;
};

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Runs a queue call, turning a Redis failure into a 503 that says nothing was accepted. */
const viaRedis = async <T>(work: () => Promise<T>): Promise<T> => {
  try {
    return await work();
  } catch (error) {
    if (error instanceof HttpProblem) throw error;
    throw unavailable('Redis', error);
  }
};

/**
 * Runs an enqueue: a failure that may have happened after Redis stored the jobs says so
 * (`outcome-unknown`), one that never reached Redis is `unavailable` (see enqueueFailure).
 */
const enqueueVia = async <T>(work: () => Promise<T>): Promise<T> => {
  try {
    return await work();
  } catch (error) {
    throw enqueueProblem(enqueueFailure(error));
  }
};

const viaPostgres = async <T>(work: () => Promise<T>): Promise<T> => {
  try {
    return await work();
  } catch (error) {
    throw unavailable('PostgreSQL', error);
  }
};

/**
 * Reads a load-generator body with the contract's schema (the one the OpenAPI document shows),
 * answering in the api's own words: each unknown field, then `count`, then `taskTypes` — one
 * error for the list as a whole, else one per name that is unknown or has no sample.
 */
const parseGenerator = (
  catalog: Catalog,
  schema: ReturnType<typeof generatorRequest>,
  body: Record<string, unknown>,
): { count: number; types: ReadonlyArray<string> } => {
  const sampled = sampledTypes(catalog);
  const parsed = schema.safeParse(body);
  if (parsed.success) return { count: parsed.data.count, types: parsed.data.taskTypes ?? sampled };
  const { issues } = parsed.error;
  const errors: FieldError[] = [];
  /** Issues with the field itself (not with an item of it). */
  const wrong = (field: string) => issues.some((issue) => issue.path.length === 1 && issue.path[0] === field);
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys)
        errors.push({ pointer: `/${key}`, message: 'is not a known field (expected count and taskTypes)' });
    }
  }
  if (wrong('count')) {
    errors.push({ pointer: '/count', message: `must be a whole number from 1 to ${MAX_GENERATED_TASKS}` });
  }
  if (wrong('taskTypes')) {
    errors.push({
      pointer: '/taskTypes',
      message: `must be a list of 1 to ${MAX_GENERATOR_TYPES} task types with a sample payload: ${sampled.join(', ') || 'none has one'}`,
    });
  } else {
    const names = Array.isArray(body.taskTypes) ? (body.taskTypes as ReadonlyArray<unknown>) : [];
    const items = issues.filter((issue) => issue.path.length > 1 && issue.path[0] === 'taskTypes');
    for (const index of new Set(items.map((issue) => Number(issue.path[1])))) {
      const name = names[index];
      errors.push({
        pointer: `/taskTypes/${index}`,
        // Only a type with a `sample` can be generated: a user's task type need not have one.
        message:
          typeof name === 'string' && catalog.get(name)
            ? `${name} has no sample payload, so the generator cannot make its tasks`
            : `unknown task type; known types: ${catalog.names.join(', ')}`,
      });
    }
  }
  // The schema has no other rule, so every issue is told above; should one slip through, it is
  // still refused, in zod's words.
  if (errors.length === 0) {
    errors.push(...issues.map((issue) => ({ pointer: `/${issue.path.join('/')}`, message: issue.message })));
  }
  throw invalidTask(errors);
};

/**
 * `/api/tasks`: submit one task, submit many (or generate load), look a task up, stats, the
 * recent batches and the per-second throughput.
 */
export const createTaskRoutes = ({ catalog, queue, store, metrics, backpressure }: TaskRoutesDeps): Router => {
  const router = Router();
  const generator = generatorRequest(catalog);

  /** A task as the api shows it: its row once committed, else BullMQ's view of its job. */
  const findTask = async (id: string): Promise<FoundTask | undefined> => {
    const fromStore = async () => {
      const row = await viaPostgres(() => store.findTask(id));
      return row && foundInStore(row);
    };
    const committed = await fromStore();
    if (committed) return committed;
    const queued = await viaRedis(() => queue.find(id));
    // A job BullMQ calls completed has committed its row: it may have landed after our first look.
    const again = queued === undefined || queued.state === 'COMPLETED' ? await fromStore() : undefined;
    if (again) return again;
    return queued && foundInQueue(queued);
  };
  const keyedDeps: KeyedSubmissionDeps = { queue, store };
  const counted = (submissions: ReadonlyArray<Submission>): void => {
    const byType = new Map<string, number>();
    for (const s of submissions) byType.set(s.taskType, (byType.get(s.taskType) ?? 0) + 1);
    for (const [taskType, n] of byType) metrics.tasksSubmitted.inc({ task_type: taskType }, n);
  };

  router.post('/', async (request, response) => {
    const key = idempotencyKeyOf(request);
    const checked = validateSubmission(catalog, requireJsonBody(request));
    if (!checked.ok) throw invalidTask(checked.errors);
    await viaRedis(async () => backpressure?.admit(1));
    if (key !== undefined) {
      // A replay answers 200 with the task as it is now; the same key with another body is a 422.
      const id = taskIdForKey(key, clientOf(response));
      const outcome = await submitKeyed(keyedDeps, {
        key,
        submissions: [checked.value],
        ids: { own: [id], foreign: [] },
        enqueue: () => enqueueVia(() => queue.enqueue([checked.value], Date.now(), id)),
        pointerOf: () => '',
      });
      const [before] = outcome.tasks;
      if (outcome.existed[0] === true && before !== undefined) {
        response
          .status(200)
          .location(`/api/tasks/${id}`)
          .json({ ...before.view, links: { self: `/api/tasks/${id}` } });
        return;
      }
      counted(outcome.enqueued);
      response
        .status(202)
        .location(`/api/tasks/${id}`)
        .json({ id, taskType: checked.value.taskType, status: 'QUEUED', links: { self: `/api/tasks/${id}` } });
      return;
    }
    const [id] = await enqueueVia(() => queue.enqueue([checked.value], Date.now()));
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
      const checked = validateSubmissions(catalog, body.tasks);
      if (!checked.ok) throw invalidTask(checked.errors);
      const submissions = checked.value;
      await viaRedis(async () => backpressure?.admit(submissions.length));
      const key = idempotencyKeyOf(request);
      if (key === undefined) {
        const ids = await enqueueVia(() => queue.enqueue(submissions, Date.now()));
        counted(submissions);
        response.status(202).json({ accepted: ids.length, taskIds: ids });
        return;
      }
      // addBulk pipelines its jobs, so a connection lost mid-request can leave part of it enqueued.
      // With an Idempotency-Key the task and parcel ids are derived from it, and a re-send, however
      // late, adds only the tasks that neither Redis nor PostgreSQL holds.
      const keyed = queue.keyedBulk(submissions, key, clientOf(response));
      const { ids } = keyed;
      const outcome = await submitKeyed(keyedDeps, {
        key,
        submissions,
        ids,
        enqueue: (missing) => enqueueVia(() => keyed.enqueue(missing, Date.now())),
        pointerOf: (index) => `/tasks/${index}`,
      });
      counted(outcome.enqueued);
      response.status(202).json({
        accepted: submissions.length,
        enqueued: outcome.enqueued.length,
        taskIds: ids.own,
        tasks: ids.own.map((id, index) => ({ id, status: outcome.tasks[index]?.view.status ?? 'QUEUED' })),
      });
      return;
    }
    const { count, types } = parseGenerator(catalog, generator, body);
    await viaRedis(async () => backpressure?.admit(count));
    const ids: string[] = [];
    for (let start = 0; start < count; start += GENERATOR_CHUNK) {
      const chunk: Submission[] = [];
      for (let n = start; n < Math.min(count, start + GENERATOR_CHUNK); n += 1) {
        const type = types[n % types.length];
        const sample = type === undefined ? undefined : catalog.get(type)?.sample;
        // parseGenerator accepted only known types with a sample, so neither is ever missing.
        if (type === undefined || sample === undefined) throw new Error(`generator has no task type at ${n}`);
        chunk.push({ taskType: type, payload: sample(n) });
      }
      ids.push(...(await enqueueVia(() => queue.enqueue(chunk, Date.now()))));
      counted(chunk);
    }
    response.status(202).json({ accepted: ids.length, taskIds: ids });
  });

  router.get('/stats', async (_request, response) => {
    const [committed, queued] = await Promise.all([viaPostgres(() => store.stats()), viaRedis(() => queue.counts())]);
    response.json({ ...committed, queue: queued });
  });

  router.get('/batches', async (request, response) => {
    const query = batchesQuery.safeParse(request.query);
    if (!query.success) {
      if (query.error.issues.some((issue) => issue.path[0] === 'limit')) {
        throw badRequest(`limit must be a whole number from 1 to ${MAX_BATCHES_LIMIT}.`, [
          { pointer: '/limit', message: `must be 1 to ${MAX_BATCHES_LIMIT}` },
        ]);
      }
      throw badRequest('before must be a batch id (the nextCursor of a previous page).');
    }
    const { limit, before } = query.data;
    const page = await viaPostgres(() => store.recentBatches(before === undefined ? { limit } : { limit, before }));
    response.json(page);
  });

  router.get('/throughput', async (request, response) => {
    const query = throughputQuery.safeParse(request.query);
    if (!query.success) {
      throw badRequest(`seconds must be a whole number from 1 to ${MAX_THROUGHPUT_SECONDS}.`, [
        { pointer: '/seconds', message: `must be 1 to ${MAX_THROUGHPUT_SECONDS}` },
      ]);
    }
    const { seconds } = query.data;
    const { until, points } = await viaPostgres(() => store.throughput({ seconds }));
    // Times as epoch milliseconds rather than ISO strings: 300 points a second per open
    // dashboard, and a chart's axis wants numbers anyway.
    response.json({
      until: until.getTime(),
      intervalMs: 1_000,
      points: points.map((point) => ({ at: point.at.getTime(), tasks: point.tasks, batches: point.batches })),
    });
  });

  router.get('/:id', async (request, response) => {
    const { id } = request.params;
    if (!isUuid(id)) throw badRequest(`${JSON.stringify(id.slice(0, 64))} is not a task id (a UUID).`);
    const found = await findTask(id);
    if (!found) throw new HttpProblem(404, 'task-not-found', 'Task not found', `No task has the id ${id}.`);
    response.json(found.view);
  });

  return router;
};
