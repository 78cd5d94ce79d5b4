import { fileURLToPath } from 'node:url';
import { describe, expect } from 'vitest';
import { createDb } from '@sluice/store';
import { startNodeProcess, test as base, waitFor } from '@sluice/testkit';
import { startTestApi, type TestApi } from './test-api.js';

// The real worker, so replays are checked against committed rows too.
const WORKER_MAIN = fileURLToPath(new URL('../../worker/dist/main.js', import.meta.url));

const test = base.extend<{ api: TestApi }>({
  api: async ({ redisUrl, databaseUrl, queueName }, use) => {
    const api = await startTestApi({ redisUrl, databaseUrl, queueName });
    await use(api);
    await api.close();
  },
});

const send = (api: TestApi, key: string, payload: unknown, path = '/api/tasks') =>
  fetch(`${api.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': key },
    body: JSON.stringify(path === '/api/tasks' ? { taskType: 'EMAIL', payload } : payload),
  });

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
    const tasks = Array.from({ length: 20 }, (_, n) => ({
      taskType: 'SMS',
      payload: { to: '+15555550100', message: `m${n}` },
    }));
    const first = (await (await send(api, 'import-7', { tasks }, '/api/tasks/batch')).json()) as { taskIds: string[] };
    // As if the connection dropped after part of the request was enqueued: forget some jobs.
    for (const id of first.taskIds.slice(10)) await api.queue.queue.remove(id);
    expect(await api.jobCount()).toBe(10);
    const again = (await (await send(api, 'import-7', { tasks }, '/api/tasks/batch')).json()) as { taskIds: string[] };
    expect(again.taskIds).toEqual(first.taskIds);
    expect(await api.jobCount()).toBe(20);
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
      await api.queue.queue.obliterate({ force: true });
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
