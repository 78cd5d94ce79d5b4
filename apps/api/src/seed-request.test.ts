import { describe, expect } from 'vitest';
import { test as base, waitFor, type NodeProcess } from '@sluice/testkit';
import { startTestApi, type TestApi } from './test-api.js';
import { startTestWorker } from './test-worker.js';

/*
 * The first example of the Java service's README, sent byte for byte as its curl sends it:
 *   curl -X POST http://localhost:8038/api/tasks -H "Content-Type: application/json" \
 *     -d '{"taskType": "EMAIL", "payload": "test data"}'
 * The real api and the real worker process run over the test's own queue and database.
 */

const test = base.extend<{ stack: { api: TestApi; worker: NodeProcess } }>({
  stack: async ({ redisUrl, databaseUrl, queueName }, use) => {
    const api = await startTestApi({ redisUrl, databaseUrl, queueName });
    // No simulated provider errors: every task must complete on its first attempt.
    const worker = await startTestWorker({ redisUrl, databaseUrl, queueName, env: { DEMO_FAILURE_RATE: '0' } });
    await use({ api, worker });
    worker.kill('SIGKILL');
    await worker.exited;
    await api.close();
  },
});

const postText = (api: TestApi, body: string) =>
  fetch(`${api.url}/api/tasks`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });

describe("the seed README's task request", () => {
  test('is accepted verbatim for EMAIL, SMS and PUSH, and each task is committed as COMPLETED', {
    timeout: 60_000,
  }, async ({ stack: { api } }) => {
    const ids = new Map<string, string>();
    for (const taskType of ['EMAIL', 'SMS', 'PUSH']) {
      const response = await postText(api, `{"taskType": "${taskType}", "payload": "test data"}`);
      expect(response.status).toBe(202);
      const body = (await response.json()) as { id: string; taskType: string; status: string };
      expect(body).toMatchObject({ taskType, status: 'QUEUED' });
      ids.set(taskType, body.id);
    }
    for (const [taskType, id] of ids) {
      const task = await waitFor(
        async () => {
          const view = (await (await fetch(`${api.url}/api/tasks/${id}`)).json()) as Record<string, unknown>;
          return view.status === 'COMPLETED' || view.status === 'FAILED' ? view : undefined;
        },
        { what: `${taskType} task ${id} committed`, timeoutMs: 30_000, intervalMs: 100 },
      );
      expect(task).toMatchObject({ id, taskType, status: 'COMPLETED', attempts: 1, error: null });
      expect(task.batchId).toEqual(expect.any(String));
      expect(task.result).toMatchObject({
        messageId: expect.stringMatching(new RegExp(`^${taskType.toLowerCase()}-`)),
      });
    }
  });

  test('still answers a wrong structured payload with 422 pointing at its field', async ({ stack: { api } }) => {
    const response = await postText(api, '{"taskType": "SMS", "payload": {"to": 42, "message": "hi"}}');
    expect(response.status).toBe(422);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(((await response.json()) as { errors: unknown }).errors).toEqual([
      { pointer: '/payload/to', message: 'Invalid input: expected string, received number' },
    ]);
    expect(await api.jobCount()).toBe(0);
  });
});
