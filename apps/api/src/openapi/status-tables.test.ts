import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createDemoCatalog } from '@sluice/tasks';
import { buildOpenApiDocument, type OpenApiDocument } from './openapi-document.js';
import { statusDrift, statusRows } from './test-status-tables.js';

// docs/api.md's tables (the README's status tables) and the OpenAPI document say the same thing:
// every status and problem type of a table is in the document for that route, and every status
// and problem type of the document is in a table.

const API_MD = fileURLToPath(new URL('../../../../docs/api.md', import.meta.url));
const markdown = readFileSync(API_MD, 'utf8');
const document = buildOpenApiDocument(createDemoCatalog({ failureRate: 0, workMs: 0 }), { version: '0.0.0' });

/** `markdown` with `before` replaced by `after`, which must be there exactly once. */
const edited = (before: string, after: string): string => {
  expect(markdown.split(before)).toHaveLength(2);
  return markdown.replace(before, after);
};

/** A copy of `document` changed by `change`. */
const changed = (
  change: (copy: { paths: Record<string, Record<string, { responses: Record<string, unknown> }>> }) => void,
) => {
  const copy = structuredClone(document) as unknown as Parameters<typeof change>[0];
  change(copy);
  return copy as unknown as OpenApiDocument;
};

describe("docs/api.md's status tables and the OpenAPI document", () => {
  it('agree on every /api route, status and problem type', () => {
    expect(statusDrift(statusRows(markdown), document)).toEqual([]);
  });

  it('are read whole: the shared answers, each route of each kind of table, and the open routes', () => {
    const rows = statusRows(markdown);
    const line = (route: string, status: string) =>
      rows.filter((row) => row.route === route && row.status === status).map((row) => [...row.codes, row.open]);
    expect(line('*', '401')).toEqual([['unauthorized', false]]);
    expect(line('*', '429')).toEqual([['rate-limited', false]]);
    expect(line('POST /api/tasks', '503')).toEqual([['unavailable', 'queue-full', 'outcome-unknown', false]]);
    expect(line('POST /api/tasks/batch', '503')).toEqual([['unavailable', 'outcome-unknown', 'queue-full', false]]);
    expect(line('GET /api/tasks/{id}', '404')).toEqual([['task-not-found', false]]);
    expect(line('GET /api/tasks/batches', '400')).toEqual([['bad-request', false]]);
    expect(line('GET /api/tasks/stats', '400')).toEqual([]);
    expect(line('GET /api/docs/{file}', '404')).toEqual([['not-found', true]]);
    expect(new Set(rows.map((row) => row.route))).toEqual(
      new Set([
        '*',
        'POST /api/tasks',
        'POST /api/tasks/batch',
        'GET /api/tasks/{id}',
        'GET /api/tasks/stats',
        'GET /api/tasks/batches',
        'GET /api/tasks/throughput',
        'GET /api/openapi.json',
        'GET /api/docs',
        'GET /api/docs/{file}',
      ]),
    );
  });

  it('disagree when a table gains a status or a problem type the document lacks', () => {
    const status = edited(
      '| `413` | `body-too-large`: the body is over 256 KB |',
      '| `413` | `body-too-large`: the body is over 256 KB |\n| `409` | `conflict`: never |',
    );
    expect(statusDrift(statusRows(status), document)).toEqual([
      'docs/api.md gives POST /api/tasks a 409; the document does not',
    ]);
    const code = edited('| `404` | `task-not-found` |', '| `404` | `task-not-found` · `gone`: deleted |');
    expect(statusDrift(statusRows(code), document)).toEqual([
      'docs/api.md gives GET /api/tasks/{id} 404 `gone`; the document does not',
    ]);
  });

  it('disagree when a table loses a status or a problem type the document has', () => {
    const shared = edited(`${markdown.split('\n').find((line) => line.startsWith('| `429` `rate-limited` |'))}\n`, '');
    expect(statusDrift(statusRows(shared), document)).toEqual(
      [
        'POST /api/tasks',
        'POST /api/tasks/batch',
        'GET /api/tasks/{id}',
        'GET /api/tasks/stats',
        'GET /api/tasks/batches',
        'GET /api/tasks/throughput',
      ].map((route) => `the document gives ${route} a 429; docs/api.md does not`),
    );
    const code = edited(
      '| `503` | `unavailable`: PostgreSQL or Redis unreachable |',
      '| `503` | PostgreSQL or Redis unreachable |',
    );
    expect(statusDrift(statusRows(code), document)).toEqual([
      'the document gives GET /api/tasks/{id} 503 `unavailable`; docs/api.md does not',
    ]);
  });

  it('disagree when the document gains a status, a problem type or a route the tables lack', () => {
    const status = changed((copy) => {
      const get = copy.paths['/api/tasks/stats']?.get;
      if (get) get.responses['418'] = { description: 'a teapot' };
    });
    expect(statusDrift(statusRows(markdown), status)).toEqual([
      'the document gives GET /api/tasks/stats a 418; docs/api.md does not',
    ]);
    const code = changed((copy) => {
      const get = copy.paths['/api/tasks/stats']?.get;
      const schema = get?.responses['503'] as {
        content: Record<string, { schema: { allOf: Array<{ properties?: { type?: { enum: string[] } } }> } }>;
      };
      schema.content['application/problem+json']?.schema.allOf[1]?.properties?.type?.enum.push(
        'https://sluice.dev/problems/queue-full',
      );
    });
    expect(statusDrift(statusRows(markdown), code)).toEqual([
      'the document gives GET /api/tasks/stats 503 `queue-full`; docs/api.md does not',
    ]);
    const route = changed((copy) => {
      copy.paths['/api/tasks/{id}/cancel'] = { post: { responses: {}, security: [] } as never };
    });
    expect(statusDrift(statusRows(markdown), route)).toEqual([
      'the document has POST /api/tasks/{id}/cancel; docs/api.md has no row for it',
    ]);
  });

  it('disagree when a route is open to all in one and behind the key in the other', () => {
    const moved = changed((copy) => {
      const get = copy.paths['/api/openapi.json']?.get as { security: unknown[] } | undefined;
      if (get) get.security = [{ apiKey: [] }];
    });
    expect(statusDrift(statusRows(markdown), moved)).toEqual(
      expect.arrayContaining(['GET /api/openapi.json is not open to all in the document, in docs/api.md']),
    );
  });
});
