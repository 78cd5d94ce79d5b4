import type { BatchPage, Stats, Submitted, SubmittedMany, Throughput } from './api-answers.js';
import { resolveClientOptions, type ClientOptions } from './client-options.js';
import { sendRequest, type ApiRequest } from './send-request.js';
import type { PayloadOf, TaskCatalog, TaskSubmission, TaskTypeName } from './task-catalog.js';
import type { TaskStatus, TaskView } from './task-view.js';
import { waitForTask, type WaitForOptions } from './wait-for-task.js';

/** Options of every call. */
export interface CallOptions {
  /** Aborts the call, retries and their waits included; it rejects with the signal's reason. */
  readonly signal?: AbortSignal | undefined;
}

/** Options of `submit` and `submitMany`. */
export interface SubmitOptions extends CallOptions {
  /**
   * Makes the submission safe to repeat: the same key and body name the same tasks, however often
   * and however late they are sent (1–255 visible ASCII characters). Default: a random key per
   * call while retries are on, so the call's own retries stay safe; none with `retry: false`.
   */
  readonly idempotencyKey?: string | undefined;
}

/** Which page of `batches` to read. */
export interface BatchesQuery extends CallOptions {
  /** Batches per page, 1–500. The api's default is 20. */
  readonly limit?: number | undefined;
  /** The `nextCursor` of the page before. Default: the newest batches. */
  readonly before?: string | undefined;
}

/** Which span `throughput` covers. */
export interface ThroughputQuery extends CallOptions {
  /** The last this many complete seconds, 1–3600. The api's default is 300. */
  readonly seconds?: number | undefined;
}

/**
 * A client of one Sluice api. `C` is the catalog it is typed with (`typeof taskTypes`); without
 * it any name and payload compile, and the api alone checks them.
 */
export interface SluiceClient<C extends TaskCatalog = TaskCatalog> {
  /** Submits one task (`POST /api/tasks`): a new one (202) or, for a repeated key, the one it names (200). */
  submit<N extends TaskTypeName<C>>(taskType: N, payload: PayloadOf<C, N>, options?: SubmitOptions): Promise<Submitted>;
  /** Submits 1–10,000 tasks at once, all or none (`POST /api/tasks/batch`). */
  submitMany(tasks: ReadonlyArray<TaskSubmission<C>>, options?: SubmitOptions): Promise<SubmittedMany>;
  /** The task as it is now (`GET /api/tasks/:id`). */
  get(id: string, options?: CallOptions): Promise<TaskView<TaskTypeName<C>>>;
  /** Resolves with the task once it is COMPLETED or FAILED; see {@link WaitForOptions}. */
  waitFor(id: string, options?: WaitForOptions): Promise<TaskView<TaskTypeName<C>>>;
  /** Totals, per task type and per flush trigger, and the queue's counts (`GET /api/tasks/stats`). */
  stats(options?: CallOptions): Promise<Stats>;
  /** One page of committed batches, newest first (`GET /api/tasks/batches`). */
  batches(query?: BatchesQuery): Promise<BatchPage>;
  /** Tasks and batches committed per second (`GET /api/tasks/throughput`). */
  throughput(query?: ThroughputQuery): Promise<Throughput>;
}

const withSignal = (signal: AbortSignal | undefined): Pick<ApiRequest, 'signal'> =>
  signal === undefined ? {} : { signal };

const queryString = (query: Readonly<Record<string, string | number | undefined>>): string => {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) if (value !== undefined) params.set(name, String(value));
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
};

/**
 * A client of the Sluice api at `baseUrl`. Type it with your task types to have each payload
 * checked against its schema's type at compile time. Nothing is sent until a method is called.
 *
 * @throws {TypeError} or {RangeError} naming the option, for an option out of its range.
 *
 * @example
 * import { createClient } from '@sluice/client';
 * import type { taskTypes } from './tasks.js';
 *
 * const sluice = createClient<typeof taskTypes>({ baseUrl: 'http://localhost:8038', apiKey: process.env.SLUICE_KEY });
 * const { id } = await sluice.submit('EMAIL', { to: 'ada@example.com', subject: 'Hi' });
 * const task = await sluice.waitFor(id);
 * console.log(task.status, task.result);
 */
export const createClient = <C extends TaskCatalog = TaskCatalog>(options: ClientOptions): SluiceClient<C> => {
  const client = resolveClientOptions(options);
  const send = async <T>(request: ApiRequest): Promise<{ readonly status: number; readonly body: T }> => {
    const answer = await sendRequest(client, request);
    // The api's answers are typed by its docs; the client trusts them rather than re-validating.
    return answer as { status: number; body: T };
  };
  const get = async (id: string, callOptions: CallOptions = {}): Promise<TaskView<TaskTypeName<C>>> =>
    (
      await send<TaskView<TaskTypeName<C>>>({
        method: 'GET',
        path: `/api/tasks/${encodeURIComponent(id)}`,
        ...withSignal(callOptions.signal),
      })
    ).body;
  return Object.freeze({
    submit: async <N extends TaskTypeName<C>>(
      taskType: N,
      payload: PayloadOf<C, N>,
      { idempotencyKey, signal }: SubmitOptions = {},
    ): Promise<Submitted> => {
      const { status, body } = await send<{ id: string; status: TaskStatus }>({
        method: 'POST',
        path: '/api/tasks',
        body: { taskType, payload },
        ...(idempotencyKey === undefined ? {} : { idempotencyKey }),
        ...withSignal(signal),
      });
      return { id: body.id, status: body.status, replayed: status === 200 };
    },
    submitMany: async (
      tasks: ReadonlyArray<TaskSubmission<C>>,
      { idempotencyKey, signal }: SubmitOptions = {},
    ): Promise<SubmittedMany> => {
      const { body } = await send<SubmittedMany>({
        method: 'POST',
        path: '/api/tasks/batch',
        // Only the two fields the api takes: it refuses a task with any other.
        body: { tasks: tasks.map(({ taskType, payload }) => ({ taskType, payload })) },
        ...(idempotencyKey === undefined ? {} : { idempotencyKey }),
        ...withSignal(signal),
      });
      return body;
    },
    get,
    waitFor: (id: string, waitOptions: WaitForOptions = {}) =>
      waitForTask((signal) => get(id, { signal }), id, waitOptions),
    stats: async ({ signal }: CallOptions = {}) =>
      (await send<Stats>({ method: 'GET', path: '/api/tasks/stats', ...withSignal(signal) })).body,
    batches: async ({ limit, before, signal }: BatchesQuery = {}) =>
      (
        await send<BatchPage>({
          method: 'GET',
          path: `/api/tasks/batches${queryString({ limit, before })}`,
          ...withSignal(signal),
        })
      ).body,
    throughput: async ({ seconds, signal }: ThroughputQuery = {}) =>
      (
        await send<Throughput>({
          method: 'GET',
          path: `/api/tasks/throughput${queryString({ seconds })}`,
          ...withSignal(signal),
        })
      ).body,
  });
};
