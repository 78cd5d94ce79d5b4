import { describe, expect } from 'vitest';
import { test as base } from '@sluice/testkit';
import { MAX_KEY_LENGTH, MAX_PAYLOAD_DEPTH, MAX_STRING_LENGTH } from '@sluice/tasks';
import { MAX_FIELD_ERRORS } from './problem.js';
import { MAX_BULK_TASKS, MAX_GENERATOR_TYPES } from './routes/tasks.js';
import { startTestApi, type TestApi } from './test-api.js';

// Every limit on what a request may hold: each is a 4xx problem document that points at the
// field, and nothing of the request reaches the queue.

const test = base.extend<{ api: TestApi }>({
  api: async ({ redisUrl, databaseUrl, queueName }, use) => {
    const api = await startTestApi({ redisUrl, databaseUrl, queueName });
    await use(api);
    await api.close();
  },
});

const email = { to: 'ada@example.com' };

const nested = (depth: number): unknown => {
  let value: unknown = 'leaf';
  for (let n = 0; n < depth; n += 1) value = { n: value };
  return value;
};

const post = (api: TestApi, path: string, body: unknown) =>
  fetch(`${api.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

interface Problem {
  readonly status: number;
  readonly detail: string;
  readonly errors?: ReadonlyArray<{ readonly pointer: string; readonly message: string }>;
}

const rejected = async (api: TestApi, response: Response, status: number): Promise<Problem> => {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  const problem = (await response.json()) as Problem;
  expect(problem.status).toBe(status);
  expect(await api.jobCount()).toBe(0);
  return problem;
};

describe('limits on one task, alone (POST /api/tasks) or in a batch (POST /api/tasks/batch)', () => {
  const cases: ReadonlyArray<readonly [string, unknown, string, RegExp]> = [
    [
      'a task type that is not an upper-case name',
      { taskType: 'email', payload: email },
      '/taskType',
      /^must be 1 to 64 upper-case letters/,
    ],
    [
      'a task type over 64 characters',
      { taskType: `E${'X'.repeat(64)}`, payload: email },
      '/taskType',
      /^must be 1 to 64 upper-case letters/,
    ],
    [
      'a well-formed but unknown task type',
      { taskType: 'FAX', payload: email },
      '/taskType',
      /^unknown task type "FAX"/,
    ],
    [
      `a text over ${MAX_STRING_LENGTH} characters`,
      { taskType: 'EMAIL', payload: { ...email, notes: 'x'.repeat(MAX_STRING_LENGTH + 1) } },
      '/payload/notes',
      /characters long; the limit is 32768$/,
    ],
    [
      `a key over ${MAX_KEY_LENGTH} characters`,
      { taskType: 'EMAIL', payload: { ...email, ['k'.repeat(MAX_KEY_LENGTH + 1)]: 1 } },
      `/payload/${'k'.repeat(MAX_KEY_LENGTH)}`,
      /^a key is 257 characters long/,
    ],
    [
      `nesting deeper than ${MAX_PAYLOAD_DEPTH} levels`,
      { taskType: 'EMAIL', payload: { ...email, deep: nested(MAX_PAYLOAD_DEPTH + 1) } },
      '',
      /nested deeper than 32 levels$/,
    ],
  ];

  for (const [what, task, pointer, message] of cases) {
    test(`refuses ${what} with 422, pointing at it`, async ({ api }) => {
      const alone = await rejected(api, await post(api, '/api/tasks', task), 422);
      expect(alone.errors?.[0]?.pointer).toMatch(new RegExp(`^${pointer.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
      expect(alone.errors?.[0]?.message).toMatch(message);
      const inBatch = await rejected(
        api,
        await post(api, '/api/tasks/batch', {
          tasks: [{ taskType: 'SMS', payload: { to: '+15550100', message: 'hi' } }, task],
        }),
        422,
      );
      expect(inBatch.errors?.[0]?.pointer).toMatch(
        new RegExp(`^/tasks/1${pointer.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`),
      );
    });
  }

  test('accepts a task exactly at every limit', async ({ api }) => {
    const payload = {
      ...email,
      notes: 'x'.repeat(MAX_STRING_LENGTH),
      ['k'.repeat(MAX_KEY_LENGTH)]: nested(MAX_PAYLOAD_DEPTH - 1),
    };
    expect((await post(api, '/api/tasks', { taskType: 'EMAIL', payload })).status).toBe(202);
    expect(await api.jobCount()).toBe(1);
  });

  test(`lists at most ${MAX_FIELD_ERRORS} field errors, and says how many there were`, async ({ api }) => {
    const junk = Object.fromEntries(Array.from({ length: 5_000 }, (_, n) => [`field${n}`, n]));
    const problem = await rejected(
      api,
      await post(api, '/api/tasks', { taskType: 'EMAIL', payload: email, ...junk }),
      422,
    );
    expect(problem.errors).toHaveLength(MAX_FIELD_ERRORS);
    expect(problem.detail).toBe(
      `5000 fields are not valid (the first ${MAX_FIELD_ERRORS} are listed); nothing was enqueued.`,
    );
  });
});

describe('limits on a batch request', () => {
  test(`refuses an empty task list and one over ${MAX_BULK_TASKS} tasks`, async ({ api }) => {
    for (const tasks of [
      [],
      Array.from({ length: MAX_BULK_TASKS + 1 }, () => ({ taskType: 'EMAIL', payload: email })),
      'EMAIL',
    ]) {
      const problem = await rejected(api, await post(api, '/api/tasks/batch', { tasks }), 422);
      expect(problem.errors).toEqual([
        { pointer: '/tasks', message: `must be a list of 1 to ${MAX_BULK_TASKS} tasks` },
      ]);
    }
  });

  test(`refuses a generator request naming more than ${MAX_GENERATOR_TYPES} task types`, async ({ api }) => {
    const taskTypes = Array.from({ length: MAX_GENERATOR_TYPES + 1 }, () => 'EMAIL');
    const problem = await rejected(api, await post(api, '/api/tasks/batch', { count: 1, taskTypes }), 422);
    expect(problem.errors?.[0]?.pointer).toBe('/taskTypes');
    expect((await post(api, '/api/tasks/batch', { count: 1, taskTypes: taskTypes.slice(1) })).status).toBe(202);
  });
});
