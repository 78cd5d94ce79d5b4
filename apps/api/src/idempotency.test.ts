import { fileURLToPath } from 'node:url';
import { describe, expect } from 'vitest';
import { createDb } from '@sluice/store';
import { startNodeProcess, startPostgresServer, startRedisServer, test as base, waitFor } from '@sluice/testkit';
import { tasksIn } from '@sluice/tasks';
import { startTestApi, type TestApi } from './test-api.js';
import { startTestWorker } from './test-worker.js';

// The real worker, so replays are checked against committed rows too.
const WORKER_MAIN = fileURLToPath(new URL('../../worker/dist/main.js', import.meta.url));

const test = base.extend<{ api: TestApi }>({
  api: async ({ redisUrl, databaseUrl, queueName }, use) => {
    const api = await startTestApi({ redisUrl, databaseUrl, queueName });
    await use(api);
    await api.close();
  },
});

const send = (
  api: TestApi,
  key: string,
  payload: unknown,
  path = '/api/tasks',
  headers: Readonly<Record<string, string>> = {},
) =>
  fetch(`${api.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': key, ...headers },
    body: JSON.stringify(path === '/api/tasks' ? { taskType: 'EMAIL', payload } : payload),
  });

const sendBulk = (api: TestApi, key: string, tasks: ReadonlyArray<unknown>, headers?: Record<string, string>) =>
  send(api, key, { tasks }, '/api/tasks/batch', headers);

/** Tasks the queue's jobs hold: a parcel holds many, so counting jobs would not do. */
const tasksHeld = async (api: TestApi): Promise<number> => {
  const jobs = await api.queue.queues[0]!.getJobs(['waiting', 'active', 'delayed', 'failed', 'completed']);
  return jobs.reduce((sum, job) => sum + tasksIn(job.data), 0);
};

/** What a 422 says when a body's shape differs from the first one sent with its key. */
const OTHER_SHAPE =
  'this Idempotency-Key was first sent with another number of tasks, or of task types and group keys, or in another order';

interface BulkAnswer {
  readonly accepted: number;
  readonly enqueued: number;
  readonly taskIds: ReadonlyArray<string>;
  readonly tasks: ReadonlyArray<{ readonly id: string; readonly status: string }>;
}

const emails = (count: number, subject = 'Your order') =>
  Array.from({ length: count }, (_, n) => ({
    taskType: 'EMAIL',
    payload: { to: `user${n}@example.com`, subject },
  }));

/** The same tasks with every object's keys in another order: the same body, canonically. */
const reordered = (tasks: ReadonlyArray<{ taskType: string; payload: { to: string; subject: string } }>) =>
  tasks.map(({ taskType, payload }) => ({ payload: { subject: payload.subject, to: payload.to }, taskType }));

const REUSED = 'https://sluice.dev/problems/idempotency-key-reused';

/** What the worker wrote: task rows, and what every batch held. */
const committed = async (db: ReturnType<typeof createDb>) => {
  const rows = await db.selectFrom('tasks').select(['id', 'status']).execute();
  const batches = await db.selectFrom('batches').select(['size', 'duplicates']).execute();
  return {
    rows,
    held: batches.reduce((sum, batch) => sum + batch.size, 0),
    duplicates: batches.reduce((sum, batch) => sum + batch.duplicates, 0),
  };
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('Idempotency-Key', () => {
  test('a replay with the same body answers 200 with the original task and enqueues nothing', async ({ api }) => {
    const first = await send(api, 'order-1', { to: 'ada@example.com', subject: 'Hi' });
    expect(first.status).toBe(202);
    const { id } = (await first.json()) as { id: string };
    // Key order does not make another body.
    const replay = await send(api, 'order-1', { subject: 'Hi', to: 'ada@example.com' });
    expect(replay.status).toBe(200);
    expect(await replay.json()).toMatchObject({ id, taskType: 'EMAIL', status: 'QUEUED' });
    expect(await api.jobCount()).toBe(1);
  });

  test('the same key with a different body answers 422 and enqueues nothing', async ({ api }) => {
    expect((await send(api, 'order-2', { to: 'ada@example.com' })).status).toBe(202);
    const reused = await send(api, 'order-2', { to: 'grace@example.com' });
    expect(reused.status).toBe(422);
    expect(await reused.json()).toMatchObject({ type: 'https://sluice.dev/problems/idempotency-key-reused' });
    expect(await api.jobCount()).toBe(1);
  });

  test('rejects a malformed key with 400', async ({ api }) => {
    const response = await fetch(`${api.url}/api/tasks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': 'x'.repeat(300) },
      body: JSON.stringify({ taskType: 'EMAIL', payload: { to: 'ada@example.com' } }),
    });
    expect(response.status).toBe(400);
    expect(await api.jobCount()).toBe(0);
  });

  test('a bulk request re-sent with its key gets the same ids and adds only what is missing', async ({ api }) => {
    // Two parcels: ten SMS tasks and ten EMAIL tasks.
    const tasks = Array.from({ length: 20 }, (_, n) =>
      n % 2 === 0
        ? { taskType: 'SMS', payload: { to: '+15555550100', message: `m${n}` } }
        : { taskType: 'EMAIL', payload: { to: 'ada@example.com', subject: `s${n}` } },
    );
    const first = (await (await send(api, 'import-7', { tasks }, '/api/tasks/batch')).json()) as { taskIds: string[] };
    // As if the connection dropped after part of the request was enqueued: forget one parcel.
    const [sms] = (await api.queue.queues[0]!.getJobs(['waiting'])).filter((job) => job.name === 'SMS');
    await sms?.remove();
    expect(await tasksHeld(api)).toBe(10);
    const again = await send(api, 'import-7', { tasks }, '/api/tasks/batch');
    expect(await again.json()).toMatchObject({ taskIds: first.taskIds, enqueued: 10 });
    expect(await tasksHeld(api)).toBe(20);
    expect(await api.jobCount()).toBe(2);
    // A keyed task in a parcel is found by its own id, as any queued task is.
    for (const id of [first.taskIds[0], first.taskIds[13], first.taskIds[19]]) {
      const found = await fetch(`${api.url}/api/tasks/${id}`);
      expect(found.status).toBe(200);
      expect(await found.json()).toMatchObject({ id, status: 'QUEUED' });
    }
  });

  test('50 concurrent replays of one key make exactly one task row, which answers replays after BullMQ forgot the job', async ({
    api,
    redisUrl,
    databaseUrl,
    queueName,
  }) => {
    const payload = { to: 'ada@example.com', subject: 'once' };
    const answers = await Promise.all(Array.from({ length: 50 }, () => send(api, 'pay-42', payload)));
    const statuses = answers.map((a) => a.status);
    expect(statuses.every((s) => s === 202 || s === 200)).toBe(true);
    const ids = new Set(await Promise.all(answers.map(async (a) => ((await a.json()) as { id: string }).id)));
    expect(ids.size).toBe(1);
    expect(await api.jobCount()).toBe(1);

    const worker = startNodeProcess(WORKER_MAIN, {
      REDIS_URL: redisUrl,
      DATABASE_URL: databaseUrl,
      QUEUE_NAME: queueName,
      BATCH_TIMEOUT_MS: '100',
      METRICS_PORT: '0',
      LOG_FORMAT: 'json',
    });
    const db = createDb(databaseUrl, { poolSize: 1 });
    try {
      const [id] = [...ids];
      await waitFor(async () => (await db.selectFrom('tasks').select('id').execute()).length === 1, {
        what: 'one row',
      });
      await api.queue.queues[0]!.obliterate({ force: true });
      const late = await send(api, 'pay-42', payload);
      expect(late.status).toBe(200);
      expect(await late.json()).toMatchObject({ id, status: 'COMPLETED' });
      expect(await api.jobCount()).toBe(0);
      expect(await db.selectFrom('tasks').select('id').execute()).toEqual([{ id }]);
    } finally {
      worker.kill('SIGTERM');
      await worker.exited;
      await db.destroy();
    }
  });
});

describe('Idempotency-Key on a bulk request', () => {
  test('a replay after its tasks completed runs no handler again and reports them as they are now', async ({
    api,
    redisUrl,
    databaseUrl,
    queueName,
  }) => {
    const tasks = emails(50);
    const first = await sendBulk(api, 'order-42', tasks);
    expect(first.status).toBe(202);
    const { taskIds } = (await first.json()) as BulkAnswer;
    const worker = await startTestWorker({ redisUrl, databaseUrl, queueName });
    const db = createDb(databaseUrl, { poolSize: 1 });
    try {
      await waitFor(async () => (await committed(db)).rows.length === 50 && (await api.jobCount()) === 0, {
        what: '50 rows and their jobs removed',
      });
      const replay = await sendBulk(api, 'order-42', reordered(tasks));
      expect(replay.status).toBe(202);
      // Longer than a group's timeout (300 ms): a task enqueued again would have run by now.
      await sleep(1_500);
      const after = await committed(db);
      expect(after.duplicates).toBe(0);
      expect(after.held).toBe(50);
      expect(after.rows.map((row) => row.id).sort()).toEqual([...taskIds].sort());
      expect(await replay.json()).toEqual({
        accepted: 50,
        enqueued: 0,
        taskIds,
        tasks: taskIds.map((id) => ({ id, status: 'COMPLETED' })),
      });
    } finally {
      worker.kill('SIGTERM');
      await worker.exited;
      await db.destroy();
    }
  });

  test('the same key with a different body answers 422 and enqueues nothing, while the tasks wait in Redis', async ({
    api,
  }) => {
    const tasks = emails(3);
    expect((await sendBulk(api, 'import-8', tasks)).status).toBe(202);
    const changed = [
      tasks[0],
      { taskType: 'EMAIL', payload: { to: 'grace@example.com', subject: 'Your order' } },
      tasks[2],
    ];
    const differs = 'differs from the task first sent at this position with this Idempotency-Key';
    const variants: Record<string, readonly [ReadonlyArray<unknown>, ReadonlyArray<unknown>]> = {
      'one payload changed': [changed, [{ pointer: '/tasks/1', message: differs }]],
      'one task more': [[...tasks, ...emails(1, 'extra')], [{ pointer: '/tasks', message: OTHER_SHAPE }]],
      'one task fewer': [tasks.slice(0, 2), [{ pointer: '/tasks', message: OTHER_SHAPE }]],
      'the same tasks in another order': [
        [tasks[2], tasks[1], tasks[0]],
        [
          { pointer: '/tasks/0', message: differs },
          { pointer: '/tasks/2', message: differs },
        ],
      ],
    };
    for (const [what, [body, errors]] of Object.entries(variants)) {
      const reused = await sendBulk(api, 'import-8', body);
      expect(reused.status, what).toBe(422);
      expect(await reused.json(), what).toMatchObject({ type: REUSED, errors });
    }
    expect(await tasksHeld(api)).toBe(3);
    // Key order inside a payload is not another body.
    const replay = await sendBulk(api, 'import-8', reordered(tasks));
    expect(replay.status).toBe(202);
    expect(await replay.json()).toMatchObject({
      enqueued: 0,
      tasks: [{ status: 'QUEUED' }, { status: 'QUEUED' }, { status: 'QUEUED' }],
    });
    expect(await tasksHeld(api)).toBe(3);
  });

  test('the same key with a different body answers 422 after the tasks completed too', async ({
    api,
    redisUrl,
    databaseUrl,
    queueName,
  }) => {
    const tasks = emails(5);
    expect((await sendBulk(api, 'import-9', tasks)).status).toBe(202);
    const worker = await startTestWorker({ redisUrl, databaseUrl, queueName });
    const db = createDb(databaseUrl, { poolSize: 1 });
    try {
      await waitFor(async () => (await committed(db)).rows.length === 5 && (await api.jobCount()) === 0, {
        what: '5 rows and their jobs removed',
      });
      const variants = {
        'one payload changed': [...tasks.slice(0, 4), ...emails(1, 'changed')],
        'one task more': [...tasks, ...emails(1, 'extra')],
        'one task fewer': tasks.slice(0, 4),
      };
      for (const [what, body] of Object.entries(variants)) {
        const reused = await sendBulk(api, 'import-9', body);
        expect(reused.status, what).toBe(422);
        expect(await reused.json(), what).toMatchObject({ type: REUSED });
        expect(await api.jobCount(), what).toBe(0);
      }
      await sleep(1_000);
      expect((await committed(db)).held).toBe(5);
    } finally {
      worker.kill('SIGTERM');
      await worker.exited;
      await db.destroy();
    }
  });
});

describe('Idempotency-Key and API keys', () => {
  test('two callers with one Idempotency-Key get two different tasks, each its own', async ({
    redisUrl,
    databaseUrl,
    queueName,
  }) => {
    const [a, b] = ['client-a-0123456789abcdef', 'client-b-0123456789abcdef'];
    const api = await startTestApi({ redisUrl, databaseUrl, queueName, apiKeys: [a, b] });
    const as = (key: string) => ({ authorization: `Bearer ${key}` });
    try {
      const payload = { to: 'ada@example.com', subject: 'Hi' };
      const fromA = await send(api, 'shared-1', payload, '/api/tasks', as(a));
      expect(fromA.status).toBe(202);
      const { id: idA } = (await fromA.json()) as { id: string };
      const fromB = await send(api, 'shared-1', payload, '/api/tasks', as(b));
      expect(fromB.status).toBe(202);
      const { id: idB } = (await fromB.json()) as { id: string };
      expect(idB).not.toBe(idA);
      // Each caller's replay finds its own task; another body is no business of the other caller.
      expect(await (await send(api, 'shared-1', payload, '/api/tasks', as(b))).json()).toMatchObject({ id: idB });
      expect((await send(api, 'shared-1', { to: 'grace@example.com' }, '/api/tasks', as(a))).status).toBe(422);

      const bulkA = (await (await sendBulk(api, 'shared-2', emails(2), as(a))).json()) as BulkAnswer;
      const bulkB = await sendBulk(api, 'shared-2', emails(3, 'other'), as(b));
      expect(bulkB.status).toBe(202);
      const { taskIds } = (await bulkB.json()) as BulkAnswer;
      expect(taskIds.filter((id) => bulkA.taskIds.includes(id))).toEqual([]);
      expect(await tasksHeld(api)).toBe(2 + 2 + 3);
    } finally {
      await api.close();
    }
  });
});

describe('Idempotency-Key when a server fails', () => {
  test('a keyed submission whose follow-up lookup fails answers outcome-unknown, and a re-send settles it', async ({
    databaseUrl,
    queueName,
  }) => {
    // Every write fsynced, so the job Redis took survives the kill.
    const redis = await startRedisServer({ appendfsync: 'always' });
    let cut = true;
    const api = await startTestApi({
      redisUrl: redis.url,
      databaseUrl,
      queueName,
      // Redis goes down right after it took the job, before the api looks the job up again.
      wrapQueue: (queue) => ({
        ...queue,
        enqueue: async (...args) => {
          const ids = await queue.enqueue(...args);
          if (cut) {
            cut = false;
            await redis.kill();
          }
          return ids;
        },
      }),
    });
    try {
      const payload = { to: 'ada@example.com', subject: 'stored' };
      const answer = await send(api, 'pay-7', payload);
      expect(answer.status).toBe(503);
      expect(answer.headers.get('retry-after')).toBe('1');
      expect(await answer.json()).toMatchObject({ type: 'https://sluice.dev/problems/outcome-unknown' });

      await redis.restart();
      const settled = await waitFor(
        async () => {
          const response = await send(api, 'pay-7', payload);
          return response.status === 503 ? undefined : response;
        },
        { what: 'an answer once Redis is back' },
      );
      expect(settled.status).toBe(200);
      expect(await settled.json()).toMatchObject({ status: 'QUEUED' });
      expect(await api.jobCount()).toBe(1);
    } finally {
      await api.close();
      await redis.stop();
    }
  });

  test('with PostgreSQL down, a keyed request whose jobs are in Redis is settled from Redis alone', async ({
    redisUrl,
    queueName,
  }) => {
    const postgres = await startPostgresServer({ durable: false });
    const api = await startTestApi({ redisUrl, databaseUrl: postgres.url(), queueName });
    try {
      const payload = { to: 'ada@example.com', subject: 'Hi' };
      const first = await send(api, 'order-5', payload);
      expect(first.status).toBe(202);
      const { id } = (await first.json()) as { id: string };
      const tasks = emails(3);
      const bulk = (await (await sendBulk(api, 'import-5', tasks)).json()) as BulkAnswer;
      await postgres.pause();

      const replay = await send(api, 'order-5', payload);
      expect(replay.status).toBe(200);
      expect(await replay.json()).toMatchObject({ id, status: 'QUEUED' });
      expect((await send(api, 'order-5', { to: 'grace@example.com' })).status).toBe(422);
      const bulkReplay = await sendBulk(api, 'import-5', tasks);
      expect(bulkReplay.status).toBe(202);
      expect(await bulkReplay.json()).toMatchObject({ taskIds: bulk.taskIds, enqueued: 0 });
      // A new key may name a task that already ran: only PostgreSQL can say, so nothing is enqueued.
      const unknown = await send(api, 'order-6', payload);
      expect(unknown.status).toBe(503);
      expect(await unknown.json()).toMatchObject({ type: 'https://sluice.dev/problems/unavailable' });
      expect(await tasksHeld(api)).toBe(4);
    } finally {
      await api.close();
      await postgres.stop();
    }
  });
});
