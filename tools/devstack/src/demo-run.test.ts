import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { freePort } from '@sluice/testkit/servers';
import { afterEach, describe, expect, it } from 'vitest';
import { createApiClient } from './api-client.js';
import { ApiUnreachableError } from './api-unreachable-error.js';
import { runDemo } from './demo-run.js';
import { captureOutput } from './test-output.js';

/**
 * A stand-in API that commits everything submitted two polls of the stats later, enough to
 * follow the demo from submission to the final table.
 */
const fakeApi = async (): Promise<{ server: Server; url: string; bodies: unknown[] }> => {
  let completed = 40; // earlier runs' tasks: the demo must count from here
  let pending = 0;
  let polls = 0;
  const bodies: unknown[] = [];
  const tasks = new Map<string, string>();
  const server = createServer((request, response) => {
    let text = '';
    request.on('data', (chunk: Buffer) => (text += chunk.toString()));
    request.on('end', () => {
      const send = (status: number, body: unknown): void => {
        response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      };
      const path = request.url ?? '';
      if (request.method === 'POST') bodies.push(JSON.parse(text));
      if (path === '/api/tasks/batch') {
        const { count } = JSON.parse(text) as { count: number };
        pending += count;
        return send(202, { accepted: count, taskIds: [] });
      }
      if (path === '/api/tasks') {
        const id = `task-${tasks.size + 1}`;
        tasks.set(id, 'QUEUED');
        pending += 1;
        return send(202, { id, status: 'QUEUED', links: { self: `/api/tasks/${id}` } });
      }
      if (path === '/api/tasks/stats') {
        polls += 1;
        if (polls > 3) {
          completed += pending;
          pending = 0;
          for (const id of tasks.keys()) tasks.set(id, 'COMPLETED');
        }
        return send(200, { totals: { completed, failed: 0 }, queue: { waiting: pending } });
      }
      if (path === '/api/tasks/batches?limit=10') {
        return send(200, {
          items: [{ id: 'b-1', taskType: 'EMAIL', size: 100, completed: 100, failed: 0, trigger: 'size' }],
        });
      }
      const status = tasks.get(path.replace('/api/tasks/', ''));
      return status === undefined ? send(404, { title: 'Not Found' }) : send(200, { status });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, bodies };
};

describe('runDemo', () => {
  let server: Server | undefined;
  afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

  it('submits a batch and three single tasks, waits for all to commit, then prints stats and batches', async () => {
    const api = await fakeApi();
    server = api.server;
    const out = captureOutput();
    const result = await runDemo({
      api: createApiClient(api.url),
      count: 500,
      taskTypes: ['EMAIL', 'SMS', 'PUSH'],
      timeoutMs: 10_000,
      out: out.stream,
      pollMs: 10,
    });
    expect(result.settled).toBe(true);
    expect(api.bodies[0]).toEqual({ count: 500, taskTypes: ['EMAIL', 'SMS', 'PUSH'] });
    expect(api.bodies.slice(1).map((body) => (body as { taskType: string }).taskType)).toEqual([
      'EMAIL',
      'SMS',
      'PUSH',
    ]);
    const text = out.text();
    expect(text).toMatch(/✓ 503 of 503 committed \(completed \+503, failed \+0\) · single tasks 3\/3/);
    expect(text).toMatch(/EMAIL +task-1 +COMPLETED/);
    expect(text).toContain('totals.completed  543');
    expect(text).toMatch(/b-1 +EMAIL +100 +100 +0 +size/);
  });

  it('says when the tasks did not all commit in time', async () => {
    const api = await fakeApi();
    server = api.server;
    const out = captureOutput();
    const result = await runDemo({
      api: createApiClient(api.url),
      count: 5,
      taskTypes: ['SMS'],
      timeoutMs: 1,
      out: out.stream,
      pollMs: 10,
    });
    expect(result.settled).toBe(false);
    expect(out.text()).toContain('✗ gave up waiting after 0.001 s');
  });

  it('asks whether npm start is running when nothing answers', async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const attempt = runDemo({
      api: createApiClient(url),
      count: 1,
      taskTypes: ['SMS'],
      timeoutMs: 1_000,
      out: captureOutput().stream,
    });
    await expect(attempt).rejects.toBeInstanceOf(ApiUnreachableError);
    await expect(attempt).rejects.toThrow(
      `Cannot reach the Sluice API at ${url} (ECONNREFUSED). Is \`npm start\` running?`,
    );
  });
});
