import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect } from 'vitest';
import { test as base, type NodeProcess } from '@sluice/testkit';
import { createBackpressure } from '../backpressure.js';
import { startTestApi, type TestApi } from '../test-api.js';
import { startTestWorker } from '../test-worker.js';
import type { OpenApiDocument, OpenApiResponse, Reference } from './openapi-document.js';

// The api answers as its own OpenAPI document says: each status it gives is documented for the
// route, each body fits the documented schema (a problem's `type` among the route's problem
// types), the documented headers come with it, and a body the api accepts is one the request
// schema accepts, and the other way round.

const KEY = 'key-aaaaaaaaaaaaaaaa';
const EMAIL = { taskType: 'EMAIL', payload: { to: 'ada@example.com', subject: 'Hi' } };

/** The api's own document, read as a client would, with a JSON Schema validator over it. */
interface Contract {
  readonly document: OpenApiDocument;
  /** The validator of the schema at `pointer` (RFC 6901, from the document's root). */
  schemaAt(pointer: string): (value: unknown) => boolean;
}

const pointerOf = (...parts: ReadonlyArray<string>): string =>
  parts.map((part) => `/${part.replaceAll('~', '~0').replaceAll('/', '~1')}`).join('');

const readContract = async (api: TestApi): Promise<Contract> => {
  const document = (await (await fetch(`${api.url}/api/openapi.json`)).json()) as OpenApiDocument;
  // Formats are left to the patterns zod writes beside them; `strict: false` for OpenAPI's own keywords.
  const ajv = new Ajv2020({ strict: false, validateFormats: false });
  ajv.addSchema({ $id: 'https://sluice.test/openapi.json', ...document });
  return {
    document,
    schemaAt: (pointer) => {
      const check = ajv.getSchema(`https://sluice.test/openapi.json#${pointer}`);
      if (check === undefined) throw new Error(`the document has nothing at ${pointer}`);
      return (value) => check(value) === true;
    },
  };
};

/** Asserts that `response`, to `method` on the document's path `path`, is one the document describes. */
const expectConforms = async (
  contract: Contract,
  method: 'get' | 'post',
  path: string,
  response: Response,
): Promise<void> => {
  const what = `${method.toUpperCase()} ${path} → ${response.status}`;
  const responses = contract.document.paths[path]?.[method]?.responses;
  expect(responses, `${what}: no such operation`).toBeDefined();
  const documented: OpenApiResponse | Reference | undefined = responses?.[String(response.status)];
  expect(documented, `${what}: status not documented`).toBeDefined();
  const [name, inline] =
    documented !== undefined && '$ref' in documented
      ? [documented.$ref.replace('#/components/responses/', ''), undefined]
      : [undefined, documented];
  const described = inline ?? contract.document.components.responses[name ?? ''];
  const at =
    name === undefined
      ? pointerOf('paths', path, method, 'responses', String(response.status))
      : pointerOf('components', 'responses', name);
  for (const header of Object.keys(described?.headers ?? {})) {
    // Retry-After is left out when waiting would not help; RateLimit-* come with the limiter only.
    if (header === 'Retry-After' || header.startsWith('RateLimit-')) continue;
    expect(response.headers.get(header), `${what}: header ${header}`).not.toBeNull();
  }
  const text = await response.text();
  if (described?.content === undefined) {
    expect(text, what).toBe('');
    return;
  }
  const type = (response.headers.get('content-type') ?? '').split(';')[0] ?? '';
  expect(Object.keys(described.content), `${what}: content type`).toContain(type);
  const fits = contract.schemaAt(`${at}${pointerOf('content', type, 'schema')}`);
  expect(fits(JSON.parse(text)), `${what}: ${text.slice(0, 300)}`).toBe(true);
};

const test = base.extend<{ api: TestApi; contract: Contract; worker: NodeProcess }>({
  api: async ({ redisUrl, databaseUrl, queueName }, use) => {
    const api = await startTestApi({
      redisUrl,
      databaseUrl,
      queueName,
      // Room for this file's requests, not for a 2,000-task generator request.
      backpressure: (queue) => createBackpressure({ highWater: 1_000, waitingCount: () => queue.waitingTasks() }),
    });
    await use(api);
    await api.close();
  },
  contract: async ({ api }, use) => {
    await use(await readContract(api));
  },
  worker: async ({ redisUrl, databaseUrl, queueName }, use) => {
    const worker = await startTestWorker({ redisUrl, databaseUrl, queueName });
    await use(worker);
    worker.kill('SIGKILL');
    await worker.exited;
  },
});

const post = (api: TestApi, path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> =>
  fetch(`${api.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

describe('the api, held to its OpenAPI document', () => {
  test('answers each submission with a documented status, body and headers', async ({ api, contract }) => {
    const check = (path: string, response: Response) => expectConforms(contract, 'post', path, response);
    const single = '/api/tasks';
    const batch = '/api/tasks/batch';
    await check(single, await post(api, single, EMAIL));
    const keyed = { 'idempotency-key': 'order-1' };
    await check(single, await post(api, single, EMAIL, keyed));
    const replay = await post(api, single, EMAIL, keyed);
    expect(replay.status).toBe(200);
    await check(single, replay);
    await check(single, await post(api, single, { ...EMAIL, payload: 'another body' }, keyed));
    await check(single, await post(api, single, { taskType: 'FAX', payload: {} }));
    await check(single, await post(api, single, '{"taskType":'));
    await check(single, await post(api, single, EMAIL, { 'idempotency-key': 'a b' }));
    await check(single, await post(api, single, 'x', { 'content-type': 'text/plain' }));
    await check(single, await post(api, single, { ...EMAIL, payload: 'x'.repeat(300_000) }));

    await check(batch, await post(api, batch, { tasks: [EMAIL, EMAIL] }));
    await check(batch, await post(api, batch, { tasks: [EMAIL] }, { 'idempotency-key': 'order-2' }));
    await check(batch, await post(api, batch, { tasks: [EMAIL, EMAIL] }, { 'idempotency-key': 'order-2' }));
    await check(batch, await post(api, batch, { count: 30, taskTypes: ['SMS', 'PUSH'] }));
    await check(batch, await post(api, batch, []));
    await check(batch, await post(api, batch, { tasks: [EMAIL, { taskType: 'EMAIL' }] }));
    const full = await post(api, batch, { count: 2_000 });
    expect(full.status).toBe(503);
    await check(batch, full);
  });

  test('answers each read with a documented status, body and headers, before and after its tasks commit', async ({
    api,
    contract,
    worker: _worker,
  }) => {
    const check = (path: string, response: Response) => expectConforms(contract, 'get', path, response);
    const accepted = (await (await post(api, '/api/tasks/batch', { count: 12 })).json()) as { taskIds: string[] };
    const [id = ''] = accepted.taskIds;
    await check('/api/tasks/{id}', await fetch(`${api.url}/api/tasks/${id}`));
    await expect
      .poll(async () => ((await (await fetch(`${api.url}/api/tasks/${id}`)).json()) as { status: string }).status, {
        timeout: 30_000,
        interval: 200,
      })
      .toBe('COMPLETED');
    await check('/api/tasks/{id}', await fetch(`${api.url}/api/tasks/${id}`));
    await check('/api/tasks/{id}', await fetch(`${api.url}/api/tasks/019a5f0c-3b2e-7c41-9d0a-5e7f1c2b3a4d`));
    await check('/api/tasks/{id}', await fetch(`${api.url}/api/tasks/not-an-id`));

    const stats = await fetch(`${api.url}/api/tasks/stats`);
    await check('/api/tasks/stats', stats);
    const batches = await fetch(`${api.url}/api/tasks/batches?limit=1`);
    const page = (await batches.clone().json()) as { items: unknown[]; nextCursor?: string };
    expect(page.items).toHaveLength(1);
    await check('/api/tasks/batches', batches);
    await check('/api/tasks/batches', await fetch(`${api.url}/api/tasks/batches?before=${page.nextCursor}`));
    await check('/api/tasks/batches', await fetch(`${api.url}/api/tasks/batches?limit=501`));
    await check('/api/tasks/batches', await fetch(`${api.url}/api/tasks/batches?before=yesterday`));
    await check('/api/tasks/throughput', await fetch(`${api.url}/api/tasks/throughput?seconds=10`));
    await check('/api/tasks/throughput', await fetch(`${api.url}/api/tasks/throughput?seconds=3601`));
  });

  test('answers the key check and the rate limit as documented', async ({ redisUrl, databaseUrl, queueName }) => {
    const api = await startTestApi({
      redisUrl,
      databaseUrl,
      queueName,
      apiKeys: [KEY],
      rateLimit: { points: 1, windowSeconds: 600 },
    });
    try {
      const contract = await readContract(api);
      const stats = (authorization?: string) =>
        fetch(`${api.url}/api/tasks/stats`, authorization === undefined ? {} : { headers: { authorization } });
      const refused = await stats();
      expect(refused.status).toBe(401);
      await expectConforms(contract, 'get', '/api/tasks/stats', refused);
      const allowed = await stats(`Bearer ${KEY}`);
      expect(allowed.headers.get('ratelimit-limit')).toBe('1');
      await expectConforms(contract, 'get', '/api/tasks/stats', allowed);
      const limited = await stats(`Bearer ${KEY}`);
      expect(limited.status).toBe(429);
      await expectConforms(contract, 'get', '/api/tasks/stats', limited);
      await expectConforms(contract, 'get', '/api/openapi.json', await fetch(`${api.url}/api/openapi.json`));
      await expectConforms(contract, 'get', '/api/docs/{file}', await fetch(`${api.url}/api/docs/nothing.js`));
    } finally {
      await api.close();
    }
  });

  test('accepts exactly the bodies its request schemas accept', async ({ api, contract }) => {
    const bodies = {
      '/api/tasks': [
        EMAIL,
        { taskType: 'SMS', payload: 'test data' },
        { taskType: 'PUSH', payload: { deviceToken: 'd-1', title: 'Hi', simulate: { failAttempts: 2 } } },
        { taskType: 'EMAIL', payload: { to: 'not an address' } },
        { taskType: 'PUSH', payload: { deviceToken: 'd-1' } },
        { taskType: 'SMS', payload: { to: '+15550100', message: 'x', simulate: { failAttempts: 101 } } },
        { taskType: 'SMS', payload: '' },
        { taskType: 'FAX', payload: {} },
        { ...EMAIL, priority: 1 },
        { taskType: 'EMAIL' },
        [EMAIL],
      ],
      '/api/tasks/batch': [
        { tasks: [EMAIL, { taskType: 'SMS', payload: 'hello' }] },
        { tasks: [] },
        { tasks: [EMAIL, { taskType: 'EMAIL', payload: 42 }] },
        { tasks: 'EMAIL' },
        { count: 3 },
        { count: 3, taskTypes: ['PUSH', 'PUSH', 'SMS'] },
        { count: 0 },
        { count: 2.5 },
        { count: 3, taskTypes: [] },
        { count: 3, taskTypes: ['FAX'] },
        { count: 3, speed: 'fast' },
        {},
      ],
    } as const;
    for (const [path, list] of Object.entries(bodies)) {
      const schema = contract.schemaAt(
        pointerOf('paths', path, 'post', 'requestBody', 'content', 'application/json', 'schema'),
      );
      for (const body of list) {
        const response = await post(api, path, body);
        expect({ path, body, accepted: response.status === 202 }).toEqual({ path, body, accepted: schema(body) });
        await expectConforms(contract, 'post', path, response);
      }
    }
  });
});
