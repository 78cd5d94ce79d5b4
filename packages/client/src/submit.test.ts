import { describe, expect } from 'vitest';
import { createClient, SluiceError } from './index.js';
import type { taskTypes } from './test-task-types.js';
import { recordingFetch, test } from './test-sluice.js';

describe('submit', () => {
  test('answers a new task with its id, and the same id as a replay for the same idempotencyKey', async ({
    sluice,
  }) => {
    const api = await sluice.startApi();
    const client = createClient<typeof taskTypes>({ baseUrl: api.url });

    const first = await client.submit('GREET', { name: 'Ada' }, { idempotencyKey: 'welcome-ada' });
    const replay = await client.submit('GREET', { name: 'Ada' }, { idempotencyKey: 'welcome-ada' });
    const other = await client.submit('GREET', { name: 'Ada' }, { idempotencyKey: 'welcome-ada-again' });

    expect(first).toEqual({ id: expect.any(String), status: 'QUEUED', replayed: false });
    expect(replay).toEqual({ id: first.id, status: 'QUEUED', replayed: true });
    expect(other.id).not.toBe(first.id);
    expect(await client.get(first.id)).toMatchObject({ id: first.id, taskType: 'GREET', status: 'QUEUED' });
  });

  test('rejects an invalid payload with a SluiceError 422 whose errors point at the field, sent once', async ({
    sluice,
  }) => {
    const api = await sluice.startApi();
    const recorder = recordingFetch();
    // Untyped, as a caller in plain JavaScript is: the api is what refuses the payload.
    const client = createClient({ baseUrl: api.url, fetch: recorder.fetch });

    const refused = await client.submit('GREET', { name: 5 }).catch((error: unknown) => error);

    expect(refused).toBeInstanceOf(SluiceError);
    expect(refused).toMatchObject({
      status: 422,
      type: 'https://sluice.dev/problems/invalid-task',
      title: 'The task is not valid',
      detail: '1 field is not valid; nothing was enqueued.',
      errors: [{ pointer: '/payload/name', message: expect.any(String) }],
      problem: { status: 422, type: 'https://sluice.dev/problems/invalid-task' },
    });
    expect(recorder.exchanges).toHaveLength(1);
  });

  test('rejects an unknown task type with an error pointing at it', async ({ sluice }) => {
    const api = await sluice.startApi();
    const client = createClient({ baseUrl: api.url });

    await expect(client.submit('GREAT', { name: 'Ada' })).rejects.toMatchObject({
      status: 422,
      errors: [{ pointer: '/taskType', message: expect.stringContaining('GREET') }],
    });
  });
});

describe('submitMany', () => {
  test('answers one id per task, in order, each task as the api stored it', async ({ sluice }) => {
    const api = await sluice.startApi();
    const client = createClient<typeof taskTypes>({ baseUrl: api.url });

    const submitted = await client.submitMany([
      { taskType: 'GREET', payload: { name: 'Ada' } },
      { taskType: 'RESIZE', payload: { url: 'https://example.com/a.png', width: 64 } },
    ]);

    expect(submitted).toMatchObject({ accepted: 2, enqueued: 2 });
    expect(submitted.taskIds).toHaveLength(2);
    expect(submitted.tasks).toEqual(submitted.taskIds.map((id) => ({ id, status: 'QUEUED' })));
    const [greet, resize] = submitted.taskIds;
    expect(await client.get(greet!)).toMatchObject({ taskType: 'GREET' });
    expect(await client.get(resize!)).toMatchObject({ taskType: 'RESIZE' });
  });

  test('a replay with the same idempotencyKey names the same tasks and enqueues none', async ({ sluice }) => {
    const api = await sluice.startApi();
    const client = createClient<typeof taskTypes>({ baseUrl: api.url });
    const tasks = [
      { taskType: 'GREET', payload: { name: 'Ada' } },
      { taskType: 'GREET', payload: { name: 'Grace' } },
    ] as const;

    const first = await client.submitMany(tasks, { idempotencyKey: 'import-7' });
    const replay = await client.submitMany(tasks, { idempotencyKey: 'import-7' });

    expect(replay).toEqual({ ...first, enqueued: 0 });
  });

  test('rejects a list with an invalid task, pointing at it by its place', async ({ sluice }) => {
    const api = await sluice.startApi();
    const client = createClient({ baseUrl: api.url });

    await expect(
      client.submitMany([
        { taskType: 'GREET', payload: { name: 'Ada' } },
        { taskType: 'RESIZE', payload: { url: 'not a url' } },
      ]),
    ).rejects.toMatchObject({ status: 422, errors: [{ pointer: '/tasks/1/payload/url' }] });
  });
});

describe('an api with API keys', () => {
  const KEY = 'client-spec-key-0123456789';

  test('answers a client with the key, and rejects one without it or with another with a SluiceError 401', async ({
    sluice,
  }) => {
    const api = await sluice.startApi({ API_KEYS: KEY });

    const submitted = await createClient<typeof taskTypes>({ baseUrl: api.url, apiKey: KEY }).submit('GREET', {
      name: 'Ada',
    });
    expect(submitted).toMatchObject({ status: 'QUEUED' });
    for (const client of [
      createClient({ baseUrl: api.url }),
      createClient({ baseUrl: api.url, apiKey: `${KEY}-not-it` }),
    ]) {
      const refused = await client.get(submitted.id).catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(SluiceError);
      expect(refused).toMatchObject({ status: 401, type: 'https://sluice.dev/problems/unauthorized' });
    }
  });
});
