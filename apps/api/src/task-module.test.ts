import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '@sluice/config';
import { createDb, migrateToLatest } from '@sluice/store';
import { loadTaskTypes } from '@sluice/tasks';
import {
  createOutsideProject,
  startNodeProcess,
  GREET_TASK_MODULE,
  submitAndAwaitCommit,
  test as base,
  type NodeProcess,
  type OutsideProject,
} from '@sluice/testkit';
import { startWorker } from '@sluice/worker';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { startApi } from './start-api.js';
import { startTestWorker } from './test-worker.js';

/*
 * A user's task module in a project of its own outside the repository, with @sluice/tasks and
 * zod in its node_modules (linked to this workspace's, as `npm link` would), run through the
 * stock entry points with SLUICE_TASKS and through startApi/startWorker in this process.
 */

const API_MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const WORKER_MAIN = fileURLToPath(new URL('../../worker/dist/main.js', import.meta.url));

let project: OutsideProject;
beforeAll(async () => {
  project = await createOutsideProject({
    packages: ['@sluice/tasks', 'zod'],
    from: import.meta.url,
    files: { 'tasks.mjs': GREET_TASK_MODULE },
  });
});
afterAll(() => project.remove());

const test = base.extend<{ migrated: string }>({
  migrated: async ({ databaseUrl }, use) => {
    const db = createDb(databaseUrl, { poolSize: 1 });
    await migrateToLatest(db);
    await db.destroy();
    await use(databaseUrl);
  },
});

const post = (url: string, body: unknown) =>
  fetch(`${url}/api/tasks`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

const greet = (url: string, name: string) => submitAndAwaitCommit(url, { taskType: 'GREET', payload: { name } });

/** `node apps/api/dist/main.js` on a port of its choosing; resolves with its URL once it listens. */
const startApiMain = async (env: Readonly<Record<string, string>>): Promise<{ api: NodeProcess; url: string }> => {
  const api = startNodeProcess(API_MAIN, { PORT: '0', LOG_FORMAT: 'json', ...env });
  const line = await api.waitForOutput(/api listening/);
  return { api, url: `http://127.0.0.1:${(JSON.parse(line) as { port: number }).port}` };
};

describe('a task module outside the repository', () => {
  test('runs through the stock entry points with SLUICE_TASKS: a task of its type completes with its handler result', async ({
    redisUrl,
    migrated: databaseUrl,
    queueName,
  }) => {
    const SLUICE_TASKS = project.path('tasks.mjs');
    const worker = await startTestWorker({ redisUrl, databaseUrl, queueName, env: { SLUICE_TASKS } });
    const { api, url } = await startApiMain({
      REDIS_URL: redisUrl,
      DATABASE_URL: databaseUrl,
      QUEUE_NAME: queueName,
      SLUICE_TASKS,
    });
    try {
      expect(worker.output()).toMatch(/"taskTypes":\["GREET"\]/);
      expect(await greet(url, 'Ada')).toMatchObject({
        taskType: 'GREET',
        status: 'COMPLETED',
        attempts: 1,
        result: { greeting: 'Hello, Ada!' },
      });
      // The module's types replace the demo ones.
      const demo = await post(url, { taskType: 'EMAIL', payload: 'test data' });
      expect(demo.status).toBe(422);
      expect(await demo.json()).toMatchObject({
        errors: [{ pointer: '/taskType', message: 'unknown task type "EMAIL"; known types: GREET' }],
      });
    } finally {
      api.kill('SIGTERM');
      worker.kill('SIGTERM');
      expect((await api.exited).code).toBe(0);
      expect((await worker.exited).code).toBe(0);
    }
  });

  test('runs through startApi and startWorker in this process', async ({
    redisUrl,
    migrated: databaseUrl,
    queueName,
  }) => {
    const taskTypes = await loadTaskTypes(project.path('tasks.mjs'));
    const settings = {
      REDIS_URL: redisUrl,
      DATABASE_URL: databaseUrl,
      QUEUE_NAME: queueName,
      LOG_LEVEL: 'error',
    };
    const worker = await startWorker({
      taskTypes,
      config: loadConfig({ ...settings, METRICS_PORT: '0', BATCH_TIMEOUT_MS: '200', WORKER_ID: 'in-process' }),
    });
    const api = await startApi({ taskTypes, config: loadConfig({ ...settings, PORT: '0' }), host: '127.0.0.1' });
    try {
      expect(await greet(api.url, 'Grace')).toMatchObject({
        status: 'COMPLETED',
        result: { greeting: 'Hello, Grace!' },
      });
      const batches = (await (await fetch(`${api.url}/api/tasks/batches`)).json()) as {
        items: ReadonlyArray<{ workerId: string; taskType: string }>;
      };
      expect(batches.items[0]).toMatchObject({ workerId: 'in-process', taskType: 'GREET' });
    } finally {
      await api.close();
      await worker.close();
    }
  });

  test("the README's hello world runs as written", async ({ redisUrl, migrated: databaseUrl, queueName }) => {
    const readme = await readFile(fileURLToPath(new URL('../../../README.md', import.meta.url)), 'utf8');
    const section = readme.slice(readme.indexOf('## Your own tasks'));
    const hello = /```js\n([\s\S]*?)```/.exec(section)?.[1];
    expect(hello).toContain('export default [');
    const taskTypes = await loadTaskTypes(await project.write('hello.mjs', hello ?? ''));
    const settings = { REDIS_URL: redisUrl, DATABASE_URL: databaseUrl, QUEUE_NAME: queueName, LOG_LEVEL: 'error' };
    const worker = await startWorker({
      taskTypes,
      config: loadConfig({ ...settings, METRICS_PORT: '0', BATCH_TIMEOUT_MS: '200' }),
    });
    const api = await startApi({ taskTypes, config: loadConfig({ ...settings, PORT: '0' }), host: '127.0.0.1' });
    try {
      // The request of the README's curl.
      expect(await submitAndAwaitCommit(api.url, { taskType: 'HELLO', payload: { name: 'Ada' } })).toMatchObject({
        status: 'COMPLETED',
        result: { greeting: 'Hello, Ada!' },
      });
    } finally {
      await api.close();
      await worker.close();
    }
  });

  const badModules: ReadonlyArray<readonly [string, string | undefined, RegExp]> = [
    ['no such file', undefined, /: no such file$/m],
    [
      'an import that fails',
      "throw new Error('GREET_TOKEN is not set');",
      /importing it failed:\n\s+Error: GREET_TOKEN is not set/,
    ],
    [
      'task types that are not an array',
      "export default { GREET: 'hello' };",
      /its task types are an object, not an array of task types$/m,
    ],
    [
      'an invalid name',
      "import { z } from 'zod';\nexport default [{ name: 'greet', payload: z.string(), handle: async () => [] }];",
      /item 0 has the name "greet"; a task type name must match/,
    ],
    [
      'a duplicate name',
      `${GREET_TASK_MODULE}\nexport default [...taskTypes, { ...taskTypes[0] }];`.replace(
        'export const taskTypes',
        'const taskTypes',
      ),
      /the task type name GREET is used twice \(items 0 and 1\)$/m,
    ],
  ];

  test.for(badModules)(
    'stops the api and the worker at start, naming SLUICE_TASKS, for %s',
    async ([kind, text, message], { redisUrl, databaseUrl, queueName }) => {
      const name = `bad-${kind.replaceAll(' ', '-')}.mjs`;
      const SLUICE_TASKS = text === undefined ? project.path(name) : await project.write(name, text);
      const env = {
        REDIS_URL: redisUrl,
        DATABASE_URL: databaseUrl,
        QUEUE_NAME: queueName,
        SLUICE_TASKS,
        PORT: '0',
        METRICS_PORT: '0',
      };
      const processes = [startNodeProcess(API_MAIN, env), startNodeProcess(WORKER_MAIN, env)];
      try {
        for (const process of processes) {
          expect((await process.exited).code).toBe(1);
          expect(process.output()).toContain(`SLUICE_TASKS: cannot load task types from ${SLUICE_TASKS}: `);
          expect(process.output()).toMatch(message);
        }
      } finally {
        for (const process of processes) process.kill('SIGKILL');
      }
    },
  );
});
