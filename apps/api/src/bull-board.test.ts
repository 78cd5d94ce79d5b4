import { describe, expect } from 'vitest';
import { test as base } from '@sluice/testkit';
import type { BoardSettings } from './bull-board.js';
import { startTestApi, type TestApi } from './test-api.js';

/** Starts the api with the given board settings; every api started is closed after the test. */
const test = base.extend<{ startApi: (board?: BoardSettings, shards?: number) => Promise<TestApi> }>({
  startApi: async ({ redisUrl, databaseUrl, queueName }, use) => {
    const started: TestApi[] = [];
    await use(async (board, shards) => {
      const api = await startTestApi({
        redisUrl,
        databaseUrl,
        queueName,
        ...(board ? { board } : {}),
        ...(shards === undefined ? {} : { shards }),
      });
      started.push(api);
      return api;
    });
    await Promise.all(started.map((api) => api.close()));
  },
});

const basic = (user: string, password: string): Record<string, string> => ({
  authorization: `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`,
});

interface BoardQueue {
  readonly name: string;
  readonly readOnlyMode: boolean;
  readonly allowRetries: boolean;
  readonly counts: Record<string, number>;
}

const boardQueues = async (api: TestApi, headers: Record<string, string> = {}): Promise<ReadonlyArray<BoardQueue>> => {
  const response = await fetch(`${api.url}/admin/queues/api/queues`, { headers });
  expect(response.status).toBe(200);
  return ((await response.json()) as { queues: BoardQueue[] }).queues;
};

describe('Bull Board at /admin/queues', () => {
  test('serves its page and lists the tasks queue with its counts when no login is configured', async ({
    startApi,
    queueName,
  }) => {
    const api = await startApi();
    await api.queue.queues[0]!.add('EMAIL', { payload: { to: 'a@example.com' }, submittedAt: Date.now() });

    const page = await fetch(`${api.url}/admin/queues`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await page.text();
    expect(html).toContain('<base href="/admin/queues/"');
    // Every asset comes from the api: the page must work with no internet.
    expect(html).not.toMatch(/https?:\/\/(?!www\.w3\.org)/);

    const [queue] = await boardQueues(api);
    expect(queue).toMatchObject({ name: queueName, readOnlyMode: false, allowRetries: true });
    expect(queue?.counts.waiting).toBe(1);
  });

  test('lists every shard of a sharded queue as a queue of its own, with its own counts', async ({ startApi }) => {
    const api = await startApi(undefined, 3);
    for (const [shard, queue] of api.queue.queues.entries())
      for (let n = 0; n <= shard; n += 1)
        await queue.add('EMAIL', { payload: { to: 'a@example.com' }, submittedAt: Date.now() });

    const queues = await boardQueues(api);
    expect(queues.map(({ name }) => name).sort()).toEqual(api.queue.queues.map(({ name }) => name).sort());
    for (const [shard, queue] of api.queue.queues.entries())
      expect(queues.find(({ name }) => name === queue.name)?.counts.waiting).toBe(shard + 1);
  });

  test('shows a bulk request as parcels, each with its tasks, their ids and payloads', async ({
    startApi,
    queueName,
  }) => {
    const api = await startApi();
    const tasks = [0, 1, 2].map((n) => ({ taskType: 'EMAIL', payload: { to: `user${n}@example.com`, subject: 'Hi' } }));
    const answer = await fetch(`${api.url}/api/tasks/batch`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ tasks }),
    });
    const { taskIds } = (await answer.json()) as { taskIds: string[] };
    const response = await fetch(`${api.url}/admin/queues/api/queues?activeQueue=${queueName}&status=waiting&page=1`);
    const { queues } = (await response.json()) as {
      queues: Array<{ name: string; jobs: Array<{ name: string; data: { tasks: unknown[] } }> }>;
    };
    const jobs = queues.find((queue) => queue.name === queueName)?.jobs ?? [];
    expect(jobs).toHaveLength(1);
    expect(jobs[0]?.name).toBe('EMAIL');
    expect(jobs[0]?.data.tasks).toEqual(tasks.map((task, n) => ({ id: taskIds[n], payload: task.payload })));
  });

  test('answers 401 with a Basic challenge to a request without the configured credentials', async ({ startApi }) => {
    const api = await startApi({ username: 'ops', password: 'correct horse', readOnly: false });

    for (const path of ['/admin/queues', '/admin/queues/api/queues', '/admin/queues/static/css/nothing.css']) {
      const response = await fetch(`${api.url}${path}`);
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Basic realm="Sluice Bull Board", charset="UTF-8"');
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(await response.json()).toMatchObject({ status: 401, title: 'Unauthorized' });
    }
  });

  test('refuses a wrong user name, a wrong password and a header that is not Basic', async ({ startApi }) => {
    const api = await startApi({ username: 'ops', password: 'correct horse', readOnly: false });
    const refused: ReadonlyArray<Record<string, string>> = [
      basic('ops', 'wrong'),
      basic('opz', 'correct horse'),
      basic('ops', 'correct horse '),
      basic('', ''),
      { authorization: 'Bearer correct horse' },
      { authorization: 'Basic not base64!' },
      { authorization: `Basic ${Buffer.from('ops').toString('base64')}` },
    ];
    for (const headers of refused) {
      expect((await fetch(`${api.url}/admin/queues/api/queues`, { headers })).status, JSON.stringify(headers)).toBe(
        401,
      );
    }
  });

  test('lets the configured account in, with a password that holds a colon and non-ASCII text', async ({
    startApi,
    queueName,
  }) => {
    const api = await startApi({ username: 'ops', password: 'pa:ss wörd', readOnly: false });

    const page = await fetch(`${api.url}/admin/queues`, { headers: basic('ops', 'pa:ss wörd') });
    expect(page.status).toBe(200);
    const [queue] = await boardQueues(api, basic('ops', 'pa:ss wörd'));
    expect(queue?.name).toBe(queueName);
  });

  test('in read-only mode shows the queue but refuses to retry, clean or pause it', async ({ startApi, queueName }) => {
    const api = await startApi({ readOnly: true });
    const job = await api.queue.queues[0]!.add('EMAIL', { payload: { to: 'a@example.com' }, submittedAt: Date.now() });

    const [queue] = await boardQueues(api);
    expect(queue).toMatchObject({ name: queueName, readOnlyMode: true, allowRetries: false });
    for (const path of [`/retry/failed`, `/clean/completed`, `/pause`, `/${job.id}/retry`]) {
      const response = await fetch(`${api.url}/admin/queues/api/queues/${queueName}${path}`, { method: 'PUT' });
      expect(response.status, path).toBe(405);
    }
    expect(await api.queue.queues[0]!.isPaused()).toBe(false);
  });

  test('leaves unknown paths under it to the api’s problem+json 404', async ({ startApi }) => {
    const api = await startApi();

    const response = await fetch(`${api.url}/admin/queues/static/no-such-file.js`);

    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  });
});
