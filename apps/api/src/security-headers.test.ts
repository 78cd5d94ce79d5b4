import { describe, expect } from 'vitest';
import { test } from '@sluice/testkit';
import { startTestApi, type TestApi } from './test-api.js';

const withApi = async (
  fixtures: { redisUrl: string; databaseUrl: string; queueName: string },
  use: (api: TestApi) => Promise<void>,
) => {
  const api = await startTestApi(fixtures);
  try {
    await use(api);
  } finally {
    await api.close();
  }
};

/** The directives of a Content-Security-Policy header, by name. */
const directives = (header: string | null): Record<string, string> =>
  Object.fromEntries(
    (header ?? '')
      .split(';')
      .map((part) => part.trim())
      .filter((part) => part !== '')
      .map((part) => {
        const [name = '', ...values] = part.split(/\s+/);
        return [name, values.join(' ')];
      }),
  );

describe('security headers (helmet)', () => {
  test('are on every answer: the page, JSON, a 404 problem, a 422 problem, health and metrics', async ({
    redisUrl,
    databaseUrl,
    queueName,
  }) => {
    await withApi({ redisUrl, databaseUrl, queueName }, async (api) => {
      const answers = await Promise.all([
        fetch(`${api.url}/`),
        fetch(`${api.url}/api/tasks/stats`),
        fetch(`${api.url}/no/such/page`),
        fetch(`${api.url}/api/tasks`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{"taskType":"FAX","payload":{}}',
        }),
        fetch(`${api.url}/actuator/health`),
        fetch(`${api.url}/metrics`),
      ]);
      expect(answers.map((answer) => answer.status)).toEqual([200, 200, 404, 422, 200, 200]);
      for (const answer of answers) {
        expect(answer.headers.get('x-content-type-options'), answer.url).toBe('nosniff');
        expect(answer.headers.get('x-frame-options'), answer.url).toBe('SAMEORIGIN');
        expect(answer.headers.get('referrer-policy'), answer.url).toBe('no-referrer');
        expect(answer.headers.get('strict-transport-security'), answer.url).toMatch(/max-age=\d+/);
        expect(answer.headers.get('cross-origin-opener-policy'), answer.url).toBe('same-origin');
        expect(answer.headers.get('x-powered-by'), answer.url).toBeNull();
        expect(directives(answer.headers.get('content-security-policy'))['script-src'], answer.url).toBe("'self'");
      }
    });
  });

  test('give the dashboard a strict policy: its own origin only, no inline script or style, no framing', async ({
    redisUrl,
    databaseUrl,
    queueName,
  }) => {
    await withApi({ redisUrl, databaseUrl, queueName }, async (api) => {
      const csp = directives((await fetch(`${api.url}/`)).headers.get('content-security-policy'));
      expect(csp).toMatchObject({
        'default-src': "'self'",
        'script-src': "'self'",
        'script-src-attr': "'none'",
        'style-src': "'self'",
        'connect-src': "'self'",
        'object-src': "'none'",
        'frame-ancestors': "'none'",
      });
      expect(Object.keys(csp)).not.toContain('upgrade-insecure-requests');
      expect(Object.values(csp).join(' ')).not.toContain('unsafe');
    });
  });

  test('keep the strict policy on the API reference page, its files and the OpenAPI document: Swagger UI needs nothing more', async ({
    redisUrl,
    databaseUrl,
    queueName,
  }) => {
    await withApi({ redisUrl, databaseUrl, queueName }, async (api) => {
      const strict = directives((await fetch(`${api.url}/`)).headers.get('content-security-policy'));
      for (const path of [
        '/api/docs',
        '/api/docs/api-docs.js',
        '/api/docs/swagger-ui-bundle.js',
        '/api/openapi.json',
      ]) {
        const answer = await fetch(`${api.url}${path}`);
        expect(answer.status, path).toBe(200);
        expect(directives(answer.headers.get('content-security-policy')), path).toEqual(strict);
        expect(answer.headers.get('x-content-type-options'), path).toBe('nosniff');
      }
    });
  });

  test('relax only styles, and only under /admin/queues, for Bull Board', async ({
    redisUrl,
    databaseUrl,
    queueName,
  }) => {
    await withApi({ redisUrl, databaseUrl, queueName }, async (api) => {
      const board = await fetch(`${api.url}/admin/queues`);
      expect(board.status).toBe(200);
      const csp = directives(board.headers.get('content-security-policy'));
      expect(csp['style-src']).toBe("'self' 'unsafe-inline'");
      expect(csp['script-src']).toBe("'self'");
      const boardApi = await fetch(`${api.url}/admin/queues/api/queues`);
      expect(directives(boardApi.headers.get('content-security-policy'))['style-src']).toBe("'self' 'unsafe-inline'");
      // A look-alike path outside the board keeps the strict policy.
      for (const path of ['/admin/queuesx', '/admin', '/dashboard/dashboard.css']) {
        expect(
          directives((await fetch(`${api.url}${path}`)).headers.get('content-security-policy'))['style-src'],
          path,
        ).toBe("'self'");
      }
    });
  });
});
