import { once } from 'node:events';
import { Redis } from 'ioredis';
import { describe, expect } from 'vitest';
import { createDb, createStore } from '@sluice/store';
import {
  createEnqueuer,
  demoTaskTypes,
  IdempotencyKeyReusedError,
  InvalidTaskError,
  UnavailableError,
  type Enqueuer,
} from '@sluice/tasks';
import { test as base, waitFor } from '@sluice/testkit';
import { startTestApi, type TestApi } from './test-api.js';
import { startTestWorker } from './test-worker.js';

const taskTypes = demoTaskTypes({ failureRate: 0, workMs: 0 });
type DemoEnqueuer = Enqueuer<typeof taskTypes>;

const API_KEY = 'enqueuer-spec-key-0123456789';

/** The api over the test's queue and database, and an enqueuer over the same queue with its settings. */
const test = base.extend<{ api: TestApi; redis: Redis; enqueuer: DemoEnqueuer }>({
  api: async ({ redisUrl, databaseUrl, queueName }, use) => {
    const api = await startTestApi({ redisUrl, databaseUrl, queueName });
    await use(api);
    await api.close();
  },
  redis: async ({ redisUrl }, use) => {
    const redis = new Redis(redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
    redis.on('error', () => undefined);
    await once(redis, 'ready');
    await use(redis);
    redis.disconnect();
  },
  enqueuer: async ({ redis, queueName }, use) => {
    // The retry settings startTestApi gives its api: the jobs must carry the same options.
    const enqueuer = createEnqueuer({ redis, taskTypes, queueName, retry: { maxRetries: 3, backoffDelayMs: 100 } });
    await use(enqueuer);
    await enqueuer.close();
  },
});

const post = async (api: TestApi, path: string, body: unknown, headers: Record<string, string> = {}) => {
  const response = await fetch(`${api.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};

/** What the enqueuer threw, for a call that must fail. */
const failure = async (work: () => Promise<unknown>): Promise<unknown> => {
  try {
    await work();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
};

/** Bodies the api refuses with 422 invalid-task, one kind of refusal each. */
const INVALID: ReadonlyArray<{ readonly why: string; readonly task: Record<string, unknown> }> = [
  { why: 'an unknown type', task: { taskType: 'FAX', payload: { to: 'x' } } },
  { why: 'a type that is not a name', task: { taskType: 'fax machine', payload: {} } },
  { why: 'a payload its schema refuses', task: { taskType: 'EMAIL', payload: { to: 'not an address' } } },
  { why: 'a payload of the wrong JSON type', task: { taskType: 'SMS', payload: 42 } },
  { why: 'a NUL character', task: { taskType: 'EMAIL', payload: 'nul \u0000 here' } },
  {
    why: 'a payload over 64 KiB',
    task: { taskType: 'PUSH', payload: { deviceToken: 'x', title: 'y', data: 'z'.repeat(70_000) } },
  },
  { why: 'a missing payload', task: { taskType: 'EMAIL' } },
];

describe('createEnqueuer: the api’s rules without HTTP', () => {
  for (const { why, task } of INVALID) {
    test(`refuses ${why} with the api's field errors, and enqueues nothing`, async ({ api, enqueuer }) => {
      const answer = await post(api, '/api/tasks', task);
      expect(answer.status).toBe(422);
      const error = await failure(() => enqueuer.submit(task.taskType as never, task.payload as never));
      expect(error).toBeInstanceOf(InvalidTaskError);
      expect((error as InvalidTaskError).errors).toEqual(answer.body.errors);

      const bulk = [{ taskType: 'SMS', payload: { to: '+15555550100', message: 'fine' } }, task];
      const bulkAnswer = await post(api, '/api/tasks/batch', { tasks: bulk });
      expect(bulkAnswer.status).toBe(422);
      const bulkError = await failure(() => enqueuer.submitMany(bulk as never));
      expect((bulkError as InvalidTaskError).errors).toEqual(bulkAnswer.body.errors);
      expect(await api.jobCount()).toBe(0);
    });
  }

  test('refuses an empty or oversized list as the api does', async ({ api, enqueuer }) => {
    const empty = await post(api, '/api/tasks/batch', { tasks: [] });
    const error = await failure(() => enqueuer.submitMany([]));
    expect((error as InvalidTaskError).errors).toEqual(empty.body.errors);
    const many = Array.from({ length: 10_001 }, () => ({ taskType: 'SMS' as const, payload: 'hi' }));
    expect(((await failure(() => enqueuer.submitMany(many))) as InvalidTaskError).errors).toEqual(empty.body.errors);
  });

  test('refuses a malformed idempotency key before anything else', async ({ api, enqueuer }) => {
    await expect(enqueuer.submit('SMS', 'hi', { idempotencyKey: 'has space' })).rejects.toThrow(RangeError);
    await expect(enqueuer.submit('SMS', 'hi', { idempotencyKey: 'x'.repeat(256) })).rejects.toThrow(RangeError);
    expect(await api.jobCount()).toBe(0);
  });

  test('a key names the same task through the api and the enqueuer, and neither enqueues it twice', async ({
    api,
    enqueuer,
  }) => {
    const payload = { to: 'ada@example.com', subject: 'Welcome' };
    const viaApi = await post(api, '/api/tasks', { taskType: 'EMAIL', payload }, { 'idempotency-key': 'welcome-ada' });
    expect(viaApi.status).toBe(202);
    const replay = await enqueuer.submit(
      'EMAIL',
      { subject: 'Welcome', to: 'ada@example.com' },
      {
        idempotencyKey: 'welcome-ada',
      },
    );
    expect(replay).toEqual({ id: viaApi.body.id, status: 'QUEUED', replayed: true });

    const first = await enqueuer.submit(
      'SMS',
      { to: '+15555550100', message: 'code 1234' },
      { idempotencyKey: 'code-1' },
    );
    expect(first.replayed).toBe(false);
    const again = await post(
      api,
      '/api/tasks',
      { taskType: 'SMS', payload: { to: '+15555550100', message: 'code 1234' } },
      { 'idempotency-key': 'code-1' },
    );
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.id);
    expect(await api.jobCount()).toBe(2);

    const other = await failure(() =>
      enqueuer.submit('SMS', { to: '+15555550100', message: 'code 9999' }, { idempotencyKey: 'code-1' }),
    );
    const otherViaApi = await post(
      api,
      '/api/tasks',
      { taskType: 'SMS', payload: { to: '+15555550100', message: 'code 9999' } },
      { 'idempotency-key': 'code-1' },
    );
    expect(otherViaApi.status).toBe(422);
    expect(other).toBeInstanceOf(IdempotencyKeyReusedError);
    expect((other as IdempotencyKeyReusedError).errors).toEqual(otherViaApi.body.errors);
    expect(await api.jobCount()).toBe(2);
  });

  test('a keyed bulk submission gets the api’s ids and parcels, and a re-send through either adds nothing', async ({
    api,
    enqueuer,
  }) => {
    const tasks = [
      ...Array.from({ length: 150 }, (_, n) => ({ taskType: 'EMAIL' as const, payload: { to: `u${n}@example.com` } })),
      { taskType: 'PUSH' as const, payload: { deviceToken: 'abc', title: 'Build passed' } },
    ];
    const viaEnqueuer = await enqueuer.submitMany(tasks, { idempotencyKey: 'import-7' });
    expect(viaEnqueuer).toMatchObject({ accepted: 151, enqueued: 151 });
    // Cut as the api cuts them: EMAIL into parcels of 100 and 50, PUSH a parcel of its own.
    expect(await api.jobCount()).toBe(3);
    const viaApi = await post(api, '/api/tasks/batch', { tasks }, { 'idempotency-key': 'import-7' });
    expect(viaApi.body).toMatchObject({ accepted: 151, enqueued: 0, taskIds: viaEnqueuer.taskIds });
    expect(await enqueuer.submitMany(tasks, { idempotencyKey: 'import-7' })).toEqual({ ...viaEnqueuer, enqueued: 0 });
    expect(await api.taskCount()).toBe(151);
  });

  test('unkeyed submissions travel as the api’s do: the same job options, and bulk tasks in parcels', async ({
    api,
    enqueuer,
  }) => {
    const viaApi = await post(api, '/api/tasks', { taskType: 'SMS', payload: 'hello' });
    const viaEnqueuer = await enqueuer.submit('SMS', 'hello');
    expect(viaEnqueuer.replayed).toBe(false);
    const [apiJob, enqueuerJob] = await Promise.all([
      api.queue.queues[0]!.getJob(String(viaApi.body.id)),
      api.queue.queues[0]!.getJob(viaEnqueuer.id),
    ]);
    expect(enqueuerJob?.opts).toEqual(apiJob?.opts && { ...apiJob.opts, jobId: viaEnqueuer.id });
    expect(enqueuerJob?.name).toBe(apiJob?.name);

    const many = Array.from({ length: 250 }, (_, n) => ({
      taskType: 'EMAIL' as const,
      payload: { to: `u${n}@example.com` },
    }));
    const { taskIds } = await enqueuer.submitMany(many);
    expect(new Set(taskIds).size).toBe(250);
    expect(await api.jobCount()).toBe(2 + 3);
    const found = await fetch(`${api.url}/api/tasks/${taskIds[249]}`);
    expect(await found.json()).toMatchObject({ id: taskIds[249], taskType: 'EMAIL', status: 'QUEUED' });
  });

  test('with an API key, the key space is that key’s requests to the api', async ({
    redisUrl,
    databaseUrl,
    queueName,
    redis,
  }) => {
    const api = await startTestApi({ redisUrl, databaseUrl, queueName, apiKeys: [API_KEY] });
    const keyed = createEnqueuer({ redis, taskTypes, queueName, apiKey: API_KEY });
    const anonymous = createEnqueuer({ redis, taskTypes, queueName });
    try {
      const viaApi = await post(
        api,
        '/api/tasks',
        { taskType: 'PUSH', payload: { deviceToken: 'abc', title: 'hi' } },
        { 'idempotency-key': 'push-1', authorization: `Bearer ${API_KEY}` },
      );
      const same = await keyed.submit('PUSH', { deviceToken: 'abc', title: 'hi' }, { idempotencyKey: 'push-1' });
      expect(same).toMatchObject({ id: viaApi.body.id, replayed: true });
      const other = await anonymous.submit('PUSH', { deviceToken: 'abc', title: 'hi' }, { idempotencyKey: 'push-1' });
      expect(other.replayed).toBe(false);
      expect(other.id).not.toBe(viaApi.body.id);
    } finally {
      await Promise.all([keyed.close(), anonymous.close()]);
      await api.close();
    }
    // The connection is the caller's: closing an enqueuer leaves it open.
    expect(await redis.ping()).toBe('PONG');
  });

  test('given the committed tasks, a re-send long after the task ran enqueues nothing, as the api', async ({
    api,
    redis,
    redisUrl,
    databaseUrl,
    queueName,
  }) => {
    const db = createDb(databaseUrl, { poolSize: 2 });
    const enqueuer = createEnqueuer({ redis, taskTypes, queueName, committed: createStore(db) });
    const worker = await startTestWorker({ redisUrl, databaseUrl, queueName });
    try {
      const first = await enqueuer.submit('SMS', 'ran long ago', { idempotencyKey: 'old-1' });
      await waitFor(async () => {
        const view = (await (await fetch(`${api.url}/api/tasks/${first.id}`)).json()) as { status: string };
        return view.status === 'COMPLETED';
      });
      // The row is committed before the job is acknowledged: wait for the job to leave Redis too,
      // so that only the row remembers the key.
      await waitFor(async () => (await api.queue.queues[0]!.getJob(first.id)) === undefined);
      const again = await enqueuer.submit('SMS', 'ran long ago', { idempotencyKey: 'old-1' });
      expect(again).toEqual({ id: first.id, status: 'COMPLETED', replayed: true });
      expect(await api.jobCount()).toBe(0);
    } finally {
      worker.kill();
      await worker.exited;
      await enqueuer.close();
      await db.destroy();
    }
  });

  test('a submission made while the connection is still making its first connect waits for it', async ({
    api,
    redisUrl,
    queueName,
  }) => {
    for (const lazyConnect of [false, true]) {
      const redis = new Redis(redisUrl, { enableOfflineQueue: false, lazyConnect });
      const enqueuer = createEnqueuer({ redis, taskTypes, queueName });
      try {
        // Keyed: a keyed submission reads Redis itself before BullMQ (which waits for a connection) adds anything.
        const key = `first-connect-${lazyConnect}`;
        expect((await enqueuer.submit('SMS', 'at once', { idempotencyKey: key })).replayed).toBe(false);
        const many = await enqueuer.submitMany([{ taskType: 'SMS', payload: 'at once' }], { idempotencyKey: key });
        expect(many.enqueued).toBe(1);
      } finally {
        await enqueuer.close();
        redis.disconnect();
      }
    }
    expect(await api.jobCount()).toBe(4);
  });

  test('while Redis is unreachable, a submission fails as unavailable and stores nothing', async ({
    api,
    redisUrl,
    queueName,
  }) => {
    const redis = new Redis(redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: true });
    redis.on('error', () => undefined);
    await redis.connect();
    const enqueuer = createEnqueuer({ redis, taskTypes, queueName });
    redis.disconnect();
    const error = await failure(() => enqueuer.submit('SMS', 'lost?', { idempotencyKey: 'down-1' }));
    expect(error).toBeInstanceOf(UnavailableError);
    expect(await failure(() => enqueuer.submitMany([{ taskType: 'SMS', payload: 'lost?' }]))).toBeInstanceOf(
      UnavailableError,
    );
    expect(await api.jobCount()).toBe(0);
    await enqueuer.close().catch(() => undefined);
  });
});
