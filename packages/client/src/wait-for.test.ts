import { describe, expect } from 'vitest';
import { createClient, SluiceError, WaitTimeoutError } from './index.js';
import type { taskTypes } from './test-task-types.js';
import { test } from './test-sluice.js';

describe('waitFor', () => {
  test('resolves with the task once it is COMPLETED, with its result', async ({ sluice }) => {
    const api = await sluice.startApi();
    await sluice.startWorker();
    const client = createClient<typeof taskTypes>({ baseUrl: api.url });
    const { id } = await client.submit('GREET', { name: 'Ada' });

    const task = await client.waitFor(id);

    expect(task).toMatchObject({
      id,
      taskType: 'GREET',
      status: 'COMPLETED',
      attempts: 1,
      result: { greeting: 'Hello, Ada!' },
      error: null,
      batchId: expect.any(String),
      committedAt: expect.any(String),
    });
  });

  test('resolves with the task once it is FAILED, with its error', async ({ sluice }) => {
    const api = await sluice.startApi();
    await sluice.startWorker();
    const client = createClient<typeof taskTypes>({ baseUrl: api.url });
    const { id } = await client.submit('GREET', { name: 'Bob', fail: 'permanent' });

    const task = await client.waitFor(id);

    expect(task).toMatchObject({ id, status: 'FAILED', error: 'cannot greet Bob', committedAt: expect.any(String) });
  });

  test('rejects with a WaitTimeoutError naming the task and its last status when no worker takes it', async ({
    sluice,
  }) => {
    const api = await sluice.startApi();
    const client = createClient<typeof taskTypes>({ baseUrl: api.url });
    const { id } = await client.submit('GREET', { name: 'Ada' });

    const timedOut = await client.waitFor(id, { timeoutMs: 500 }).catch((error: unknown) => error);

    expect(timedOut).toBeInstanceOf(WaitTimeoutError);
    expect(timedOut).not.toBeInstanceOf(SluiceError);
    expect(timedOut).toMatchObject({ taskId: id, lastStatus: 'QUEUED', timeoutMs: 500 });
    expect((timedOut as Error).message).toBe(
      `Task ${id} was still QUEUED after 500 ms of waiting for COMPLETED or FAILED`,
    );
  });

  test('rejects with the api’s SluiceError 404 for a task it does not know, without waiting it out', async ({
    sluice,
  }) => {
    const api = await sluice.startApi();
    const client = createClient({ baseUrl: api.url });

    await expect(client.waitFor('0196a1b2-0000-7000-8000-000000000000')).rejects.toMatchObject({
      name: 'SluiceError',
      status: 404,
      type: 'https://sluice.dev/problems/task-not-found',
    });
  });
});
