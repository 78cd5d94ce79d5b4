import { compileErrors, validate } from '@readme/openapi-parser';
import { Ajv2020 } from 'ajv/dist/2020.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  createCatalog,
  createDemoCatalog,
  defineTaskType,
  MAX_PAYLOAD_BYTES,
  validateSubmission,
  type Catalog,
} from '@sluice/tasks';
import { PROBLEM_CODES, problemDocument, problemTypeUri } from '../contract/problem-document.js';
import { HttpProblem, invalidTask, keyReused } from '../problem.js';
import { buildOpenApiDocument, type OpenApiDocument } from './openapi-document.js';

const demo = createDemoCatalog({ failureRate: 0, workMs: 0 });

/** Task types of a user's own, with what their schemas may hold that the demo types do not. */
const customTypes = () => {
  const money = z.object({ amount: z.int().min(0), currency: z.enum(['EUR', 'USD']) }).meta({ id: 'Money' });
  const line = z.object({
    sku: z.string().min(1),
    price: money,
    // Recursive: a bundle holds lines of its own.
    get lines() {
      return z.array(line).optional();
    },
  });
  const invoice = defineTaskType({
    name: 'INVOICE',
    payload: z.object({
      customer: z.string().min(1),
      total: money,
      lines: z.array(line).min(1),
      // JSON Schema cannot say either of these: each becomes {}.
      due: z.date().optional(),
      reference: z.string().transform((text) => text.toUpperCase()),
    }),
    handle: async (tasks) => tasks.map(() => ({ ok: true })),
  });
  const pageView = defineTaskType({
    name: 'PAGE_VIEW',
    payload: z.object({ url: z.url(), tenant: z.string().min(1) }).describe('One page a visitor opened.'),
    sample: (n) => ({ url: `https://example.com/${n}`, tenant: 'acme' }),
    handle: async (tasks) => tasks.map(() => ({ ok: true })),
  });
  return { invoice, pageView };
};

const customCatalog = (): Catalog => {
  const { invoice, pageView } = customTypes();
  return createCatalog([invoice, pageView]);
};

const documentOf = (catalog: Catalog): OpenApiDocument => buildOpenApiDocument(catalog, { version: '1.2.3' });

/** @readme/openapi-parser's verdict; it dereferences what it is given, so it gets a copy. */
const verdict = async (document: unknown): Promise<string> => {
  const result = await validate(structuredClone(document) as Parameters<typeof validate>[0]);
  return result.valid && result.warnings.length === 0 ? 'valid' : compileErrors(result);
};

/** A JSON Schema validator over the whole document, so its `$ref`s resolve as a client's would. */
const validatorOf = (document: OpenApiDocument) => {
  // Formats are left to the patterns zod writes beside them (email, uuid); `discriminator` and
  // the document's other OpenAPI keywords are not JSON Schema's, hence `strict: false`.
  const ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: true });
  ajv.addSchema({ $id: 'https://sluice.test/openapi.json', ...document });
  return (pointer: string) => {
    const check = ajv.getSchema(`https://sluice.test/openapi.json#${pointer}`);
    if (check === undefined) throw new Error(`nothing at ${pointer}`);
    return (value: unknown): boolean => check(value) === true;
  };
};

/** Every `$ref` of a JSON value, with where it was found. */
const refsIn = (value: unknown, at = ''): ReadonlyArray<{ readonly ref: string; readonly at: string }> => {
  if (Array.isArray(value)) return value.flatMap((item, index) => refsIn(item, `${at}/${index}`));
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, inner]) =>
    key === '$ref' && typeof inner === 'string' ? [{ ref: inner, at }] : refsIn(inner, `${at}/${key}`),
  );
};

/** What an RFC 6901 pointer (`#/a/b~1c`) names in `document`, or undefined. */
const resolvePointer = (document: unknown, ref: string): unknown =>
  ref
    .slice(2)
    .split('/')
    .map((part) => part.replaceAll('~1', '/').replaceAll('~0', '~'))
    .reduce<unknown>(
      (node, part) => (typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[part] : undefined),
      document,
    );

describe('the OpenAPI document', () => {
  it('is a valid OpenAPI 3.1 document for the demo catalog, with no warning', async () => {
    expect(await verdict(documentOf(demo))).toBe('valid');
  });

  it('is valid for a catalog of its own: a recursive payload, a shared part, parts JSON Schema cannot say, a type without a sample', async () => {
    expect(await verdict(documentOf(customCatalog()))).toBe('valid');
  });

  it('would be refused by the validator if it were broken, so the two specs above can fail', async () => {
    const document = structuredClone(documentOf(demo)) as unknown as {
      paths: Record<string, { post?: { responses: Record<string, unknown> } }>;
    };
    const post = document.paths['/api/tasks']?.post;
    if (post === undefined) throw new Error('no POST /api/tasks');
    post.responses['202'] = { content: {} };
    expect(await verdict(document)).not.toBe('valid');
  });

  it('points every $ref at something the document holds', () => {
    for (const catalog of [demo, customCatalog()]) {
      const document = documentOf(catalog);
      const dangling = refsIn(document).filter(({ ref }) => resolvePointer(document, ref) === undefined);
      expect(dangling).toEqual([]);
    }
  });

  it("gives each task type its payload schema as a named component, zod's conversion of the catalog's own schema, with what the api checks by hand", () => {
    for (const catalog of [demo, customCatalog()]) {
      const { schemas } = documentOf(catalog).components;
      for (const name of catalog.names) {
        const type = catalog.get(name);
        if (type === undefined) throw new Error(`no ${name}`);
        const {
          $schema: _dialect,
          description: _own,
          ...converted
        } = z.toJSONSchema(type.payload, {
          target: 'draft-2020-12',
          io: 'input',
          unrepresentable: 'any',
        });
        const { description, ...component } = schemas[`${name}Payload`] ?? {};
        // Placed at its component, a schema's own references are rebased onto it.
        expect(JSON.parse(JSON.stringify(component).replaceAll(`#/components/schemas/${name}Payload`, '#'))).toEqual(
          converted,
        );
        expect(description).toContain('65,536 bytes (64 KiB)');
        expect(description).toContain('nested deeper than 32 levels');
        expect(schemas[`${name}Submission`]).toEqual({
          type: 'object',
          description: `One ${name} task.`,
          properties: {
            taskType: { type: 'string', const: name },
            payload: { $ref: `#/components/schemas/${name}Payload` },
          },
          required: ['taskType', 'payload'],
          additionalProperties: false,
        });
      }
    }
  });

  it("shows a payload schema that is not zod 4's (a task module needs only safeParse) as anything, and says why", async () => {
    const legacy = { safeParse: (value: unknown) => ({ success: true, data: value }) } as unknown as z.ZodType;
    const catalog = createCatalog([
      defineTaskType({ name: 'LEGACY', payload: legacy, handle: async (tasks) => tasks.map(() => ({ ok: true })) }),
    ]);
    const document = documentOf(catalog);
    expect(document.components.schemas.LEGACYPayload?.description).toMatch(
      /^This type's schema is not a zod 4 schema, so it cannot be shown here; the api checks payloads with it\.\n\nBesides this schema/,
    );
    expect(Object.keys(document.components.schemas.LEGACYPayload ?? {})).toEqual(['description']);
    expect(await verdict(document)).toBe('valid');
  });

  it("keeps a type's own description before the api's", () => {
    const { schemas } = documentOf(customCatalog()).components;
    expect(schemas.PAGE_VIEWPayload?.description).toMatch(/^One page a visitor opened\.\n\nBesides this schema/);
  });

  it('takes a single task as any one type, and 1 to 10,000 of them or a generator request in bulk', () => {
    const document = documentOf(demo);
    const check = validatorOf(document);
    const single = check('/paths/~1api~1tasks/post/requestBody/content/application~1json/schema');
    const bulk = check('/paths/~1api~1tasks~1batch/post/requestBody/content/application~1json/schema');
    const sms = { taskType: 'SMS', payload: { to: '+15550100', message: 'hi' } };
    expect(single(sms)).toBe(true);
    expect(single({ ...sms, taskType: 'EMAIL' })).toBe(false);
    expect(single({ ...sms, extra: 1 })).toBe(false);
    expect(bulk({ tasks: [sms] })).toBe(true);
    expect(bulk({ tasks: [] })).toBe(false);
    expect(bulk({ tasks: Array.from({ length: 10_001 }, () => sms) })).toBe(false);
    expect(bulk({ count: 100_000, taskTypes: ['EMAIL', 'EMAIL', 'PUSH'] })).toBe(true);
    expect(bulk({ count: 100_001 })).toBe(false);
    expect(bulk({ count: 5, taskTypes: ['FAX'] })).toBe(false);
    // A body with `tasks` is a bulk request, whatever else it holds, as the api reads it.
    expect(bulk({ count: 5, tasks: [sms] })).toBe(true);
  });

  it('judges a task as validateSubmission does, wherever JSON Schema can judge', () => {
    const single = validatorOf(documentOf(demo))(
      '/paths/~1api~1tasks/post/requestBody/content/application~1json/schema',
    );
    // Texts of visible ASCII: JSON Schema counts a text's length in code points, the api in UTF-16
    // units, and NUL characters and lone surrogates are the api's own checks (the description says both).
    const text = fc.string({ unit: fc.constantFrom('a', 'Z', '@', '.', '+', '1', ' ', '-'), maxLength: 30 });
    const payload = fc.oneof(
      fc.record(
        {
          to: fc.oneof(fc.constantFrom('ada@example.com', '+15550100', 'a@b'), text),
          subject: text,
          message: fc.oneof(text, fc.constant('')),
          deviceToken: text,
          title: text,
          simulate: fc.record(
            { failAttempts: fc.integer({ min: -1, max: 101 }), fail: fc.constantFrom('retryable', 'x') },
            { requiredKeys: [] },
          ),
        },
        { requiredKeys: [] },
      ),
      text,
      fc.jsonValue({ maxDepth: 2 }).filter((value) => typeof value !== 'string'),
    );
    // Mostly known types and no stray field, so that about as many tasks pass as fail.
    const task = fc
      .record({
        taskType: fc.oneof(
          { weight: 5, arbitrary: fc.constantFrom('EMAIL', 'SMS', 'PUSH') },
          fc.constantFrom('FAX', 'email'),
        ),
        payload,
        other: fc.oneof({ weight: 8, arbitrary: fc.constant(undefined) }, fc.integer()),
      })
      .map(({ other, ...body }) => (other === undefined ? body : { ...body, other }));
    let accepted = 0;
    fc.assert(
      fc.property(task, (body) => {
        expect(single(body)).toBe(validateSubmission(demo, body).ok);
        if (single(body)) accepted += 1;
      }),
      { numRuns: 3_000 },
    );
    // Both answers came up often: the property held for accepted and refused tasks alike.
    expect(Math.min(accepted, 3_000 - accepted)).toBeGreaterThan(500);
  });

  it('says in words what JSON Schema cannot: a payload over 64 KiB passes the schema, and the api refuses it', () => {
    const document = documentOf(demo);
    const single = validatorOf(document)('/paths/~1api~1tasks/post/requestBody/content/application~1json/schema');
    const body = { taskType: 'EMAIL', payload: { to: 'ada@example.com', padding: 'x'.repeat(MAX_PAYLOAD_BYTES) } };
    expect(single(body)).toBe(true);
    expect(validateSubmission(demo, body).ok).toBe(false);
    expect(document.components.schemas.EMAILPayload?.description).toContain('64 KiB');
  });

  it('offers each request body example the schema accepts: one task of each type with a sample', () => {
    for (const catalog of [demo, customCatalog()]) {
      const document = documentOf(catalog);
      const check = validatorOf(document);
      for (const path of ['/api/tasks', '/api/tasks/batch']) {
        const content = document.paths[path]?.post?.requestBody?.content['application/json'];
        const valid = check(`/paths/${path.replaceAll('/', '~1')}/post/requestBody/content/application~1json/schema`);
        const examples = Object.values(content?.examples ?? {});
        expect(examples.length).toBeGreaterThan(0);
        for (const example of examples) expect(valid(example.value), JSON.stringify(example.value)).toBe(true);
      }
    }
    const examples = documentOf(customCatalog()).paths['/api/tasks']?.post?.requestBody?.content['application/json']
      ?.examples;
    expect(Object.keys(examples ?? {})).toEqual(['PAGE_VIEW']);
  });

  it('offers the generator only the types with a sample, and no valid request when none has one', () => {
    const generator = (catalog: Catalog) => documentOf(catalog).components.schemas.GeneratorRequest;
    expect(generator(customCatalog())).toMatchObject({
      properties: { taskTypes: { items: { enum: ['PAGE_VIEW'] } } },
      required: ['count'],
    });
    const unsampled = createCatalog([customTypes().invoice]);
    expect(generator(unsampled)).toMatchObject({
      properties: { taskTypes: { items: { not: {} } } },
      required: ['count', 'taskTypes'],
    });
  });

  it("lists each answer's problem types as the enum of the problem's type, with its status", () => {
    const responses = documentOf(demo).paths['/api/tasks']?.post?.responses ?? {};
    expect(responses['422']).toMatchObject({
      content: {
        'application/problem+json': {
          schema: {
            allOf: [
              { $ref: '#/components/schemas/Problem' },
              {
                properties: {
                  type: {
                    enum: [
                      'https://sluice.dev/problems/invalid-task',
                      'https://sluice.dev/problems/idempotency-key-reused',
                    ],
                  },
                  status: { const: 422 },
                },
              },
            ],
          },
        },
      },
    });
    expect(responses['401']).toEqual({ $ref: '#/components/responses/Unauthorized' });
    expect(responses['429']).toEqual({ $ref: '#/components/responses/RateLimited' });
  });

  it('names problem types as HttpProblem writes them, and its documents fit the Problem schema', () => {
    for (const code of PROBLEM_CODES) {
      expect(new HttpProblem(400, code, 'A title', 'A detail').toProblem().type).toBe(problemTypeUri(code));
    }
    const problems = [
      invalidTask(Array.from({ length: 150 }, (_, index) => ({ pointer: `/tasks/${index}`, message: 'no' }))),
      keyReused('key-1', [{ pointer: '/tasks', message: 'differs' }]),
      new HttpProblem(404, 'task-not-found', 'Task not found', 'No task has the id x.'),
    ];
    for (const problem of problems) expect(problemDocument.safeParse(problem.toProblem()).success).toBe(true);
    const problemSchema = validatorOf(documentOf(demo))('/components/schemas/Problem');
    for (const problem of problems) expect(problemSchema(problem.toProblem())).toBe(true);
  });

  it('needs no key for itself and its page only; every other operation takes the bearer key, optional as API_KEYS is', () => {
    const document = documentOf(demo);
    const security = Object.entries(document.paths).flatMap(([path, item]) =>
      Object.entries(item).map(
        ([method, operation]) => `${method.toUpperCase()} ${path} ${JSON.stringify(operation.security)}`,
      ),
    );
    expect(security).toEqual([
      'POST /api/tasks [{"apiKey":[]},{}]',
      'POST /api/tasks/batch [{"apiKey":[]},{}]',
      'GET /api/tasks/{id} [{"apiKey":[]},{}]',
      'GET /api/tasks/stats [{"apiKey":[]},{}]',
      'GET /api/tasks/batches [{"apiKey":[]},{}]',
      'GET /api/tasks/throughput [{"apiKey":[]},{}]',
      'GET /api/openapi.json []',
      'GET /api/docs []',
      'GET /api/docs/{file} []',
    ]);
    expect(document.components.securitySchemes.apiKey).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(document.components.securitySchemes.apiKey?.description).toContain(
      'only when the api runs with API_KEYS set',
    );
  });

  it('takes the Idempotency-Key header on both submissions, and the query parameters the routes read', () => {
    const document = documentOf(demo);
    expect(document.components.parameters.IdempotencyKey).toMatchObject({
      name: 'Idempotency-Key',
      in: 'header',
      required: false,
      schema: { type: 'string', pattern: '^[\\x21-\\x7e]{1,255}$' },
    });
    for (const path of ['/api/tasks', '/api/tasks/batch']) {
      expect(document.paths[path]?.post?.parameters).toEqual([{ $ref: '#/components/parameters/IdempotencyKey' }]);
    }
    expect(document.paths['/api/tasks/batches']?.get?.parameters).toMatchObject([
      {
        name: 'limit',
        in: 'query',
        required: false,
        schema: { type: 'integer', minimum: 1, maximum: 500, default: 20 },
      },
      { name: 'before', in: 'query', required: false, schema: { type: 'string', format: 'uuid' } },
    ]);
    expect(document.paths['/api/tasks/throughput']?.get?.parameters).toMatchObject([
      {
        name: 'seconds',
        in: 'query',
        required: false,
        schema: { type: 'integer', minimum: 1, maximum: 3600, default: 300 },
      },
    ]);
  });
});
