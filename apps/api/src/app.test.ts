import { describe, expect } from 'vitest';
import { test as base } from '@sluice/testkit';
import { createDb, createStore } from '@sluice/store';
import { createCatalog, createDemoCatalog, defineTaskType, isUuid, newId } from '@sluice/tasks';
import { startTestApi, type TestApi } from './test-api.js';

const test = base.extend<{ api: TestApi }>({
  api: async ({ redisUrl, databaseUrl, queueName }, use) => {
    const api = await startTestApi({ redisUrl, databaseUrl, queueName });
    await use(api);
    await api.close();
  },
});

const email = { to: 'ada@example.com', subject: 'Hello' };

const post = (api: TestApi, path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${api.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

/** Every rejected request must answer problem+json and leave the queue as it was. */
const expectRejected = async (api: TestApi, response: Response, status: number) => {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  const problem = (await response.json()) as { status: number; title: string; detail: string; errors?: unknown[] };
  expect(problem.status).toBe(status);
  expect(problem.title).toEqual(expect.any(String));
  expect(problem.detail).toEqual(expect.any(String));
  expect(await api.jobCount()).toBe(0);
  return problem;
};

describe('POST /api/tasks', () => {
  test('accepts a task with 202, its UUIDv7 id and a link, and enqueues it', async ({ api }) => {
    const response = await post(api, '/api/tasks', { taskType: 'EMAIL', payload: email });
    expect(response.status).toBe(202);
    const body = (await response.json()) as { id: string; status: string; links: { self: string } };
    expect(isUuid(body.id) && body.id[14] === '7').toBe(true);
    expect(body.status).toBe('QUEUED');
    expect(body.links.self).toBe(`/api/tasks/${body.id}`);
    expect(response.headers.get('location')).toBe(`/api/tasks/${body.id}`);
    const job = await api.queue.queues[0]!.getJob(body.id);
    expect(job?.name).toBe('EMAIL');
    expect(job?.data).toEqual({ payload: email, submittedAt: expect.any(Number) });
    expect(job?.opts.attempts).toBe(4);
  });

  test('answers malformed JSON with 400', async ({ api }) => {
    await expectRejected(api, await post(api, '/api/tasks', '{"taskType": "EMAIL", '), 400);
  });

  test('answers an unknown task type with 422 naming the known types', async ({ api }) => {
    const problem = await expectRejected(api, await post(api, '/api/tasks', { taskType: 'FAX', payload: {} }), 422);
    expect(problem.errors).toEqual([
      { pointer: '/taskType', message: 'unknown task type "FAX"; known types: EMAIL, SMS, PUSH' },
    ]);
  });

  test('answers a payload over 64 KiB with 422', async ({ api }) => {
    const payload = { ...email, body: 'x'.repeat(70 * 1024) };
    const problem = await expectRejected(api, await post(api, '/api/tasks', { taskType: 'EMAIL', payload }), 422);
    expect(problem.errors).toEqual([{ pointer: '/payload', message: expect.stringMatching(/the limit is 65536/) }]);
  });

  test('answers a NUL character anywhere in the payload with 422', async ({ api }) => {
    const payload = { ...email, meta: { deep: ['fine', 'bad\u0000'] } };
    const problem = await expectRejected(api, await post(api, '/api/tasks', { taskType: 'EMAIL', payload }), 422);
    expect(problem.errors).toEqual([
      { pointer: '/payload/meta/deep/1', message: 'text contains a NUL character (\\u0000)' },
    ]);
  });

  test('answers wrong field types with 422 and a field-level error each', async ({ api }) => {
    const problem = await expectRejected(
      api,
      await post(api, '/api/tasks', { taskType: 'SMS', payload: { to: 42, message: false } }),
      422,
    );
    expect(problem.errors?.map((e) => (e as { pointer: string }).pointer).sort()).toEqual([
      '/payload/message',
      '/payload/to',
    ]);
    await expectRejected(api, await post(api, '/api/tasks', { taskType: 7, payload: email }), 422);
    await expectRejected(api, await post(api, '/api/tasks', ['EMAIL']), 422);
  });

  test('answers a body that is not JSON with 415', async ({ api }) => {
    const response = await fetch(`${api.url}/api/tasks`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'EMAIL',
    });
    await expectRejected(api, response, 415);
  });

  test('answers a body over the size limit with 413', async ({ api }) => {
    const payload = { ...email, body: 'x'.repeat(300 * 1024) };
    await expectRejected(api, await post(api, '/api/tasks', { taskType: 'EMAIL', payload }), 413);
  });
});

describe('POST /api/tasks/batch', () => {
  test('enqueues every task of a { tasks } request, in parcels of up to the batch size per type', async ({ api }) => {
    const tasks = Array.from({ length: 250 }, (_, n) => ({
      taskType: n % 2 ? 'EMAIL' : 'PUSH',
      payload: n % 2 ? email : { deviceToken: `d${n}`, title: 't' },
    }));
    const response = await post(api, '/api/tasks/batch', { tasks });
    expect(response.status).toBe(202);
    const body = (await response.json()) as { accepted: number; taskIds: string[] };
    expect(body.accepted).toBe(250);
    expect(new Set(body.taskIds).size).toBe(250);
    expect(await api.waitingTasks()).toEqual({ EMAIL: 125, PUSH: 125 });
    expect(await api.jobCount()).toBe(4);
  });

  test('stores 250 EMAIL and 10 SMS as 3 + 1 parcels, answers their ids in request order, and shows each task', async ({
    api,
  }) => {
    // Every 26th task an SMS, so a type's tasks are not together in the request.
    const tasks = Array.from({ length: 260 }, (_, n) =>
      n % 26 === 25
        ? { taskType: 'SMS', payload: { to: `+1555000${String(n).padStart(4, '0')}`, message: `sms ${n}` } }
        : { taskType: 'EMAIL', payload: { to: `user${n}@example.com`, subject: `email ${n}` } },
    );
    const response = await post(api, '/api/tasks/batch', { tasks });
    expect(response.status).toBe(202);
    const { taskIds } = (await response.json()) as { taskIds: string[] };
    expect(taskIds).toHaveLength(260);
    // The demo types have no batch size of their own, so BATCH_SIZE's 100 bounds a parcel.
    expect(await api.queue.counts()).toMatchObject({ waiting: 4 });

    const found = await api.queue.findMany(taskIds);
    expect(found.map((task) => [task.id, task.taskType, task.payload])).toEqual(
      tasks.map((task, n) => [taskIds[n], task.taskType, task.payload]),
    );
    const emails = taskIds.filter((_, n) => n % 26 !== 25);
    const smses = taskIds.filter((_, n) => n % 26 === 25);
    for (const [taskType, ids] of [
      ['EMAIL', emails],
      ['SMS', smses],
    ] as const) {
      for (const id of [ids[0], ids[Math.floor(ids.length / 2)], ids.at(-1)]) {
        const shown = await fetch(`${api.url}/api/tasks/${id}`);
        expect(shown.status).toBe(200);
        expect(await shown.json()).toMatchObject({ id, taskType, status: 'QUEUED', attempts: 0 });
        expect((await api.queue.find(id ?? ''))?.payload).toEqual(tasks[taskIds.indexOf(id ?? '')]?.payload);
      }
    }
  });

  test('rejects the whole request when one task is bad, naming it, and enqueues nothing', async ({ api }) => {
    const tasks = [
      { taskType: 'EMAIL', payload: email },
      { taskType: 'EMAIL', payload: { to: 'not an address' } },
    ];
    const problem = await expectRejected(api, await post(api, '/api/tasks/batch', { tasks }), 422);
    expect(problem.errors).toEqual([{ pointer: '/tasks/1/payload/to', message: 'must be an email address' }]);
  });

  test('rejects more than 10,000 tasks in one request', async ({ api }) => {
    const tasks = Array.from({ length: 10_001 }, () => ({ taskType: 'EMAIL', payload: email }));
    await expectRejected(api, await post(api, '/api/tasks/batch', { tasks }), 422);
  });

  test('generates load from { count, taskTypes }, round-robin over the types', async ({ api }) => {
    const response = await post(api, '/api/tasks/batch', { count: 500, taskTypes: ['EMAIL', 'SMS', 'PUSH'] });
    expect(response.status).toBe(202);
    expect(((await response.json()) as { accepted: number }).accepted).toBe(500);
    expect(await api.waitingTasks()).toEqual({ EMAIL: 167, SMS: 167, PUSH: 166 });
  });

  test('rejects a generator request with an unknown type or a count out of range', async ({ api }) => {
    await expectRejected(api, await post(api, '/api/tasks/batch', { count: 5, taskTypes: ['FAX'] }), 422);
    await expectRejected(api, await post(api, '/api/tasks/batch', { count: 100_001 }), 422);
    await expectRejected(api, await post(api, '/api/tasks/batch', { count: 0 }), 422);
  });

  test('answers 422 for a type without a sample payload, and leaves it out when no type is named', async ({
    redisUrl,
    databaseUrl,
    queueName,
  }) => {
    const demo = createDemoCatalog({ failureRate: 0, workMs: 0 });
    const types = demo.names.flatMap((name) => demo.get(name) ?? []);
    const [email] = types;
    if (email === undefined) throw new Error('the demo catalog has no EMAIL');
    // EMAIL's schema, with no sample: the api needs nothing else of it here.
    const unsampled = defineTaskType({ name: 'INVOICE', payload: email.payload, handle: email.handle });
    const catalog = createCatalog([...types, unsampled]);
    const api = await startTestApi({ redisUrl, databaseUrl, queueName, catalog });
    try {
      const problem = await expectRejected(
        api,
        await post(api, '/api/tasks/batch', { count: 5, taskTypes: ['EMAIL', 'INVOICE'] }),
        422,
      );
      expect(problem.errors).toEqual([
        {
          pointer: '/taskTypes/1',
          message: 'INVOICE has no sample payload, so the generator cannot make its tasks',
        },
      ]);
      const response = await post(api, '/api/tasks/batch', { count: 6 });
      expect(response.status).toBe(202);
      expect(await api.waitingTasks()).toEqual({ EMAIL: 2, SMS: 2, PUSH: 2 });
    } finally {
      await api.close();
    }
  });
});

describe('GET /api/tasks/:id', () => {
  test('shows a queued task from BullMQ', async ({ api }) => {
    const { id } = (await (
      await post(api, '/api/tasks', { taskType: 'PUSH', payload: { deviceToken: 'd', title: 't' } })
    ).json()) as { id: string };
    const response = await fetch(`${api.url}/api/tasks/${id}`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      id,
      taskType: 'PUSH',
      status: 'QUEUED',
      attempts: 0,
      batchId: null,
      committedAt: null,
    });
  });

  test('answers 404 for an unknown id and 400 for something that is not an id', async ({ api }) => {
    const missing = await fetch(`${api.url}/api/tasks/019a5f0c-3b2e-7c41-9d0a-5e7f1c2b3a4d`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toMatch(/problem\+json/);
    expect((await fetch(`${api.url}/api/tasks/not-an-id`)).status).toBe(400);
  });
});

describe('queries and operations', () => {
  test('serves stats, batches, health and metrics', async ({ api }) => {
    const stats = await fetch(`${api.url}/api/tasks/stats`);
    expect(stats.status).toBe(200);
    expect(await stats.json()).toMatchObject({ queue: { waiting: 0 } });
    const batches = await fetch(`${api.url}/api/tasks/batches?limit=5`);
    expect(await batches.json()).toEqual({ items: [] });
    expect((await fetch(`${api.url}/api/tasks/batches?limit=0`)).status).toBe(400);
    const health = await fetch(`${api.url}/actuator/health`);
    expect(await health.json()).toEqual({
      status: 'UP',
      components: { redis: { status: 'UP' }, db: { status: 'UP' } },
    });
    expect((await fetch(`${api.url}/livez`)).status).toBe(200);
    expect((await fetch(`${api.url}/readyz`)).status).toBe(200);
    expect(await (await fetch(`${api.url}/metrics`)).text()).toContain('sluice_tasks_submitted_total');
  });

  test('answers each batch with its groupBy key, null for a type without groupBy', async ({ api, databaseUrl }) => {
    const db = createDb(databaseUrl, { poolSize: 1 });
    try {
      const store = createStore(db);
      const group = (groupKey?: string) => ({
        batch: {
          id: newId(),
          workerId: 'w1',
          taskType: 'EMAIL',
          ...(groupKey === undefined ? {} : { groupKey }),
          trigger: 'size' as const,
          openedAt: new Date(),
          flushedAt: new Date(),
          handlerMs: 1,
          size: 0,
        },
        tasks: [],
      });
      await store.commitGroup(group());
      await store.commitGroup(group('acme'));

      const page = (await (await fetch(`${api.url}/api/tasks/batches?limit=5`)).json()) as {
        items: Array<{ taskType: string; groupKey: string | null }>;
      };

      expect(page.items.map(({ taskType, groupKey }) => ({ taskType, groupKey }))).toEqual([
        { taskType: 'EMAIL', groupKey: 'acme' },
        { taskType: 'EMAIL', groupKey: null },
      ]);
    } finally {
      await db.destroy();
    }
  });
});
