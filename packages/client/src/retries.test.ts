import { freePort } from '@sluice/testkit';
import { describe, expect } from 'vitest';
import { createClient, SluiceError } from './index.js';
import type { taskTypes } from './test-task-types.js';
import { onlyOnce, recordingFetch, test } from './test-sluice.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/*
 * Each 503 here is the real api's: started with QUEUE_HIGH_WATER=1 and no worker, it takes one
 * task and answers the next with `503 queue-full` and `Retry-After: 5` until a worker takes the
 * first. The client's retries are capped at 250 ms, so they come back many times before the
 * api's once-a-second count of the queue sees room; `attempts` only bounds a hang.
 */
const FAST_RETRIES = { attempts: 200, maxDelayMs: 250 } as const;

describe('retries', () => {
  test('a submission refused with 503 and Retry-After is re-sent with the same Idempotency-Key until it is taken', async ({
    sluice,
  }) => {
    const api = await sluice.startApi({ QUEUE_HIGH_WATER: '1' });
    const first = await createClient<typeof taskTypes>({ baseUrl: api.url }).submit('GREET', { name: 'first' });
    const startWorker = onlyOnce(() => sluice.startWorker());
    const recorder = recordingFetch(async ({ outcome }) => {
      if (outcome === 503) await startWorker();
    });
    const client = createClient<typeof taskTypes>({ baseUrl: api.url, fetch: recorder.fetch, retry: FAST_RETRIES });

    const second = await client.submit('GREET', { name: 'second' }, { idempotencyKey: 'greeting-2' });

    expect(second).toMatchObject({ status: 'QUEUED', replayed: false });
    const outcomes = recorder.exchanges.map((exchange) => exchange.outcome);
    expect(outcomes[0]).toBe(503);
    expect(outcomes.at(-1)).toBe(202);
    expect(outcomes.slice(0, -1).every((outcome) => outcome === 503)).toBe(true);
    expect(recorder.exchanges.map((exchange) => exchange.idempotencyKey)).toEqual(outcomes.map(() => 'greeting-2'));
    // Two submissions, two tasks: the retries made no third.
    await client.waitFor(first.id);
    expect(await client.waitFor(second.id)).toMatchObject({
      status: 'COMPLETED',
      result: { greeting: 'Hello, second!' },
    });
    expect((await client.stats()).totals).toMatchObject({ tasks: 2, completed: 2 });
  });

  test('a submission without a key sends one key the client made up on every attempt, and a new one on the next call', async ({
    sluice,
  }) => {
    const api = await sluice.startApi({ QUEUE_HIGH_WATER: '1' });
    await createClient({ baseUrl: api.url }).submit('GREET', { name: 'first' });
    const startWorker = onlyOnce(() => sluice.startWorker());
    const recorder = recordingFetch(async ({ outcome }) => {
      if (outcome === 503) await startWorker();
    });
    const client = createClient<typeof taskTypes>({ baseUrl: api.url, fetch: recorder.fetch, retry: FAST_RETRIES });

    const second = await client.submit('GREET', { name: 'again' });
    const attempts = recorder.exchanges.length;
    const third = await client.submit('GREET', { name: 'again' });

    expect(attempts).toBeGreaterThan(1);
    const keys = recorder.exchanges.map((exchange) => exchange.idempotencyKey);
    const [key] = keys;
    expect(key).toMatch(UUID);
    expect(keys.slice(0, attempts)).toEqual(keys.slice(0, attempts).map(() => key));
    // The same body in another call is another task: its key is its own.
    const later = keys.slice(attempts);
    expect(new Set(later).size).toBe(1);
    expect(later[0]).toMatch(UUID);
    expect(later[0]).not.toBe(key);
    expect(third.id).not.toBe(second.id);
  });

  test('a 503 queue-full without Retry-After, a request larger than the mark, is not retried', async ({ sluice }) => {
    const api = await sluice.startApi({ QUEUE_HIGH_WATER: '1' });
    const recorder = recordingFetch();
    const client = createClient<typeof taskTypes>({ baseUrl: api.url, fetch: recorder.fetch, retry: FAST_RETRIES });

    const refused = client.submitMany([
      { taskType: 'GREET', payload: { name: 'a' } },
      { taskType: 'GREET', payload: { name: 'b' } },
    ]);

    await expect(refused).rejects.toBeInstanceOf(SluiceError);
    await expect(refused).rejects.toMatchObject({ status: 503, type: 'https://sluice.dev/problems/queue-full' });
    expect(recorder.exchanges.map((exchange) => exchange.outcome)).toEqual([503]);
  });

  test('retry: false sends a refused submission once, and without a key of its own', async ({ sluice }) => {
    const api = await sluice.startApi({ QUEUE_HIGH_WATER: '1' });
    await createClient({ baseUrl: api.url }).submit('GREET', { name: 'first' });
    const recorder = recordingFetch();
    const client = createClient<typeof taskTypes>({ baseUrl: api.url, fetch: recorder.fetch, retry: false });

    await expect(client.submit('GREET', { name: 'second' })).rejects.toMatchObject({ status: 503 });
    expect(recorder.exchanges).toEqual([
      { method: 'POST', path: '/api/tasks', idempotencyKey: undefined, outcome: 503 },
    ]);
  });

  test('a submission whose first attempt finds no api is re-sent with the same key once the api is up', async ({
    sluice,
  }) => {
    const port = await freePort();
    const startApi = onlyOnce(() => sluice.startApi({ PORT: String(port) }));
    const recorder = recordingFetch(async ({ outcome }) => {
      if (outcome === 'network-error') await startApi();
    });
    const client = createClient<typeof taskTypes>({ baseUrl: `http://127.0.0.1:${port}`, fetch: recorder.fetch });

    const submitted = await client.submit('RESIZE', { url: 'https://example.com/a.png' });

    expect(recorder.exchanges.map((exchange) => exchange.outcome)).toEqual(['network-error', 202]);
    const [first, second] = recorder.exchanges;
    expect(first?.idempotencyKey).toMatch(UUID);
    expect(second?.idempotencyKey).toBe(first?.idempotencyKey);
    expect(await client.get(submitted.id)).toMatchObject({ id: submitted.id, taskType: 'RESIZE' });
  });

  test('a GET whose first attempt finds no api is retried too', async ({ sluice }) => {
    const port = await freePort();
    const startApi = onlyOnce(() => sluice.startApi({ PORT: String(port) }));
    const recorder = recordingFetch(async ({ outcome }) => {
      if (outcome === 'network-error') await startApi();
    });
    const client = createClient({ baseUrl: `http://127.0.0.1:${port}`, fetch: recorder.fetch });

    expect(await client.stats()).toMatchObject({ totals: { tasks: 0 } });
    expect(recorder.exchanges).toEqual([
      { method: 'GET', path: '/api/tasks/stats', idempotencyKey: undefined, outcome: 'network-error' },
      { method: 'GET', path: '/api/tasks/stats', idempotencyKey: undefined, outcome: 200 },
    ]);
  });

  test('a caller who aborts while a retry waits gets its abort reason, and nothing more is sent', async ({
    sluice,
  }) => {
    const api = await sluice.startApi({ QUEUE_HIGH_WATER: '1' });
    await createClient({ baseUrl: api.url }).submit('GREET', { name: 'first' });
    const caller = new AbortController();
    const recorder = recordingFetch(({ outcome }) => {
      // After the client has the 503 and sleeps out Retry-After: 5 (the default policy honours it).
      if (outcome === 503) setTimeout(() => caller.abort(new Error('the caller gave up')), 50);
    });
    const client = createClient<typeof taskTypes>({ baseUrl: api.url, fetch: recorder.fetch });

    await expect(client.submit('GREET', { name: 'second' }, { signal: caller.signal })).rejects.toThrow(
      'the caller gave up',
    );
    expect(recorder.exchanges.map((exchange) => exchange.outcome)).toEqual([503]);
  });
});
