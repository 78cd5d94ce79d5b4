import { get } from 'node:http';
import { describe, expect } from 'vitest';
import { z } from 'zod';
import { createCatalog, createDemoCatalog, defineTaskType } from '@sluice/tasks';
import { test } from '@sluice/testkit';
import { startTestApi, type TestApi } from '../test-api.js';
import { API_DOCS_FILES } from './api-docs-files.js';
import { buildOpenApiDocument } from './openapi-document.js';
import { packageVersion } from './package-version.js';

const KEY = 'key-aaaaaaaaaaaaaaaa';

/**
 * The status of a GET revalidating `etag`, sent with node:http: fetch adds `Cache-Control:
 * no-cache` to a conditional request, which tells the server to answer in full.
 */
const revalidated = (url: string, etag: string): Promise<number | undefined> =>
  new Promise((resolve, reject) => {
    get(url, { headers: { 'if-none-match': etag } }, (response) => {
      response.resume();
      resolve(response.statusCode);
    }).on('error', reject);
  });

const withApi = async (api: TestApi, use: (api: TestApi) => Promise<void>): Promise<void> => {
  try {
    await use(api);
  } finally {
    await api.close();
  }
};

describe('GET /api/openapi.json and /api/docs', () => {
  test('serve the document built from the catalog, and its page, without an API key and outside the rate limit; the data routes keep both', async ({
    redisUrl,
    databaseUrl,
    queueName,
  }) => {
    const options = { redisUrl, databaseUrl, queueName, apiKeys: [KEY], rateLimit: { points: 2, windowSeconds: 600 } };
    await withApi(await startTestApi(options), async (api) => {
      const expected = buildOpenApiDocument(createDemoCatalog({ failureRate: 0, workMs: 0 }), {
        version: packageVersion(),
      });
      for (let read = 0; read < 3; read += 1) {
        const answer = await fetch(`${api.url}/api/openapi.json`);
        expect(answer.status).toBe(200);
        expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
        expect(answer.headers.get('ratelimit-limit')).toBeNull();
        expect(await answer.json()).toEqual(expected);
        expect(await revalidated(`${api.url}/api/openapi.json`, answer.headers.get('etag') ?? '')).toBe(304);
      }

      const page = await fetch(`${api.url}/api/docs`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      expect(await page.text()).toContain('<script src="/api/docs/api-docs.js" defer></script>');
      expect(await revalidated(`${api.url}/api/docs`, page.headers.get('etag') ?? '')).toBe(304);
      for (const [name, { type }] of Object.entries(API_DOCS_FILES)) {
        const file = await fetch(`${api.url}/api/docs/${name}`);
        expect(file.status, name).toBe(200);
        expect(file.headers.get('content-type'), name).toMatch(new RegExp(`^${type}`));
        expect(await revalidated(`${api.url}/api/docs/${name}`, file.headers.get('etag') ?? ''), name).toBe(304);
      }
      // swagger-ui-dist's own page and initializer (pointed at the Petstore) are not served, key or not.
      for (const path of ['/api/docs/index.html', '/api/docs/swagger-initializer.js', '/api/docs/a/b']) {
        const missing = await fetch(`${api.url}${path}`);
        expect(missing.status, path).toBe(404);
        expect(await missing.json()).toMatchObject({
          type: 'https://sluice.dev/problems/not-found',
          detail: `Nothing is served at GET ${path}.`,
        });
      }

      // The budget of two requests was not touched by any of the above; the key is still needed.
      const stats = (authorization?: string) =>
        fetch(`${api.url}/api/tasks/stats`, authorization === undefined ? {} : { headers: { authorization } });
      expect((await stats()).status).toBe(401);
      expect((await stats(`Bearer ${KEY}`)).status).toBe(200);
      expect((await stats(`Bearer ${KEY}`)).status).toBe(200);
      expect((await stats(`Bearer ${KEY}`)).status).toBe(429);
      // Another method on the document's path is an ordinary /api request.
      expect((await fetch(`${api.url}/api/openapi.json`, { method: 'POST' })).status).toBe(401);
    });
  });

  test('serve the document of the catalog the api was made with', async ({ redisUrl, databaseUrl, queueName }) => {
    const invoice = defineTaskType({
      name: 'INVOICE',
      payload: z.strictObject({ customer: z.string().min(1), cents: z.int().min(1) }),
      handle: async (tasks) => tasks.map(() => ({ ok: true })),
    });
    const catalog = createCatalog([invoice]);
    await withApi(await startTestApi({ redisUrl, databaseUrl, queueName, catalog }), async (api) => {
      const served = (await (await fetch(`${api.url}/api/openapi.json`)).json()) as ReturnType<
        typeof buildOpenApiDocument
      >;
      expect(served).toEqual(buildOpenApiDocument(catalog, { version: packageVersion() }));
      expect(served.components.schemas.INVOICEPayload).toMatchObject({
        type: 'object',
        properties: { customer: { type: 'string', minLength: 1 }, cents: { type: 'integer', minimum: 1 } },
        additionalProperties: false,
      });
      expect(Object.keys(served.components.schemas).filter((name) => name.endsWith('Payload'))).toEqual([
        'INVOICEPayload',
      ]);
    });
  });
});
