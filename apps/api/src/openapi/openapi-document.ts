import { z } from 'zod';
import {
  IDEMPOTENCY_KEY,
  MAX_KEY_LENGTH,
  MAX_PAYLOAD_BYTES,
  MAX_PAYLOAD_DEPTH,
  MAX_STRING_LENGTH,
  type Catalog,
} from '@sluice/tasks';
import { generatorRequest, sampledTypes } from '../contract/generator-request.js';
import { MAX_BULK_TASKS } from '../contract/limits.js';
import { problemDocument, problemTypeUri, type ProblemCode } from '../contract/problem-document.js';
import { batchesQuery, throughputQuery } from '../contract/query-parameters.js';
import {
  acceptedTask,
  acceptedTasks,
  batchPage,
  replayedTask,
  taskStats,
  taskView,
  throughput,
} from '../contract/response-bodies.js';
import { API_DOCS_FILES, API_DOCS_PATH, OPENAPI_PATH } from './api-docs-files.js';
import { toJsonSchema, type JsonSchema } from './json-schema.js';

/** A `$ref` to another part of the document (a type, not an interface, so it is a JsonSchema too). */
export type Reference = { readonly $ref: string };

/** Named example values, as Swagger UI offers them to pick from. */
export type Examples = Readonly<Record<string, { readonly summary: string; readonly value: unknown }>>;

export interface OpenApiResponse {
  /** Markdown: what the answer holds, or, for a problem, each type it may be and when. */
  readonly description: string;
  readonly headers?: Readonly<Record<string, Reference>>;
  readonly content?: Readonly<Record<string, { readonly schema: JsonSchema }>>;
}

export interface OpenApiParameter {
  readonly name: string;
  readonly in: 'query' | 'header' | 'path';
  readonly required: boolean;
  readonly description?: string;
  readonly schema: JsonSchema;
}

export interface OpenApiOperation {
  readonly operationId: string;
  readonly summary: string;
  readonly description?: string;
  readonly tags: ReadonlyArray<string>;
  /** `[]` for a route open to anyone; the bearer key, optional, for the rest. */
  readonly security: ReadonlyArray<Readonly<Record<string, ReadonlyArray<string>>>>;
  readonly parameters?: ReadonlyArray<OpenApiParameter | Reference>;
  readonly requestBody?: {
    readonly required: boolean;
    readonly description: string;
    readonly content: Readonly<Record<string, { readonly schema: JsonSchema; readonly examples?: Examples }>>;
  };
  /** By status code, plus `default` for a fault in Sluice itself. */
  readonly responses: Readonly<Record<string, OpenApiResponse | Reference>>;
}

/** The OpenAPI 3.1 document of one api, as `GET /api/openapi.json` serves it. */
export interface OpenApiDocument {
  readonly openapi: string;
  readonly info: { readonly title: string; readonly version: string; readonly description: string };
  readonly tags: ReadonlyArray<{ readonly name: string; readonly description: string }>;
  readonly paths: Readonly<Record<string, Readonly<Partial<Record<'get' | 'post', OpenApiOperation>>>>>;
  readonly components: {
    readonly schemas: Readonly<Record<string, JsonSchema>>;
    readonly responses: Readonly<Record<string, OpenApiResponse>>;
    readonly parameters: Readonly<Record<string, OpenApiParameter>>;
    readonly headers: Readonly<Record<string, { readonly description: string; readonly schema: JsonSchema }>>;
    readonly securitySchemes: Readonly<Record<string, Readonly<Record<string, string>>>>;
  };
}

const SCHEMAS = '#/components/schemas/';
const ref = (kind: 'schemas' | 'responses' | 'parameters' | 'headers', name: string): Reference => ({
  $ref: `#/components/${kind}/${name}`,
});

/** Component names of a task type's schemas: `EMAILPayload`, `EMAILSubmission`. Names match TASK_TYPE_NAME. */
const payloadName = (taskType: string): string => `${taskType}Payload`;
const submissionName = (taskType: string): string => `${taskType}Submission`;

/** What `validateSubmission` checks by hand, beyond the type's schema: JSON Schema cannot say it. */
const PAYLOAD_CHECKS =
  `Besides this schema, the api refuses (422 \`invalid-task\`) a payload over ${MAX_PAYLOAD_BYTES.toLocaleString('en')} ` +
  `bytes (64 KiB) of JSON, nested deeper than ${MAX_PAYLOAD_DEPTH} levels, holding a text over ` +
  `${MAX_STRING_LENGTH.toLocaleString('en')} characters or a key over ${MAX_KEY_LENGTH}, or a NUL character or ` +
  'an unpaired UTF-16 surrogate in any text or key (PostgreSQL `jsonb` cannot store those). Lengths are counted ' +
  'in UTF-16 code units, as JavaScript counts them; JSON Schema counts code points, so a text of emoji may be ' +
  'refused below its `maxLength`.';

const NOT_ZOD_4 =
  "This type's schema is not a zod 4 schema, so it cannot be shown here; the api checks payloads with it.";

const RATE_LIMIT_HEADERS = ['RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset', 'RateLimit-Policy'] as const;

type HeaderName = (typeof RATE_LIMIT_HEADERS)[number] | 'Retry-After' | 'Location' | 'WWW-Authenticate';

const headers = (names: ReadonlyArray<HeaderName>): { readonly headers?: Readonly<Record<string, Reference>> } =>
  names.length === 0 ? {} : { headers: Object.fromEntries(names.map((name) => [name, ref('headers', name)])) };

const json = (schema: JsonSchema) => ({ 'application/json': { schema } });

/** A success answer whose body is the component schema `body`. */
const answer = (description: string, body: string, names: ReadonlyArray<HeaderName> = []): OpenApiResponse => ({
  description,
  ...headers(names),
  content: json(ref('schemas', body)),
});

/**
 * A problem answer. Each problem type it may carry is listed twice: as the enum of the
 * document's `type` (what code generators and validators read, and what Swagger UI shows in the
 * schema) and in the description, each with when it comes.
 */
const problem = (
  status: number,
  problems: ReadonlyArray<readonly [ProblemCode, string]>,
  names: ReadonlyArray<HeaderName> = [],
): OpenApiResponse => ({
  description: problems.map(([code, when]) => `\`${code}\`: ${when}`).join('\n\n'),
  ...headers(names),
  content: {
    'application/problem+json': {
      schema: {
        allOf: [
          ref('schemas', 'Problem'),
          {
            properties: {
              type: { enum: problems.map(([code]) => problemTypeUri(code)) },
              status: { const: status },
            },
          },
        ],
      },
    },
  },
});

/** An answer with no body: a revalidated file or document. */
const NOT_MODIFIED: OpenApiResponse = { description: 'Not modified: the `ETag` matched `If-None-Match`.' };

const NOT_FOUND_WHEN = 'no such route under `/api` (with API_KEYS set, only after a valid key).';

/**
 * The answers any request to a guarded `/api` route may get, before its route runs: the key
 * check, the rate limit, and (for a path or method not listed) the 404.
 */
const SHARED_RESPONSES = {
  Unauthorized: problem(
    401,
    [
      [
        'unauthorized',
        'API_KEYS is set and the request has no `Authorization: Bearer <key>` with one of the keys (`WWW-Authenticate` says which: no key, or `error="invalid_token"`). Nothing is read or enqueued.',
      ],
    ],
    ['WWW-Authenticate'],
  ),
  RateLimited: problem(
    429,
    [
      [
        'rate-limited',
        'the client (its API key, else its IP address) has used the RATE_LIMIT_POINTS requests of this RATE_LIMIT_WINDOW_SECONDS window; `Retry-After` says when it may come back. Nothing is read or enqueued. A batch costs one point, as any request.',
      ],
    ],
    ['Retry-After', ...RATE_LIMIT_HEADERS],
  ),
  NotFound: problem(404, [['not-found', NOT_FOUND_WHEN]]),
  Internal: problem(500, [
    ['internal', 'a fault in Sluice itself, logged with the request id; nothing a client sends should cause one.'],
  ]),
} satisfies Record<string, OpenApiResponse>;

const HEADERS = {
  Location: { description: 'The task: `/api/tasks/{id}`.', schema: { type: 'string' } },
  'Retry-After': { description: 'Seconds to wait before trying again.', schema: { type: 'integer', minimum: 0 } },
  'WWW-Authenticate': {
    description: 'The bearer challenge, `Bearer realm="Sluice api"`, plus `error="invalid_token"` for a wrong key.',
    schema: { type: 'string' },
  },
  'RateLimit-Limit': {
    description: "With RATE_LIMIT_POINTS set: the client's requests per window.",
    schema: { type: 'integer', minimum: 0 },
  },
  'RateLimit-Remaining': {
    description: 'With RATE_LIMIT_POINTS set: requests left in this window.',
    schema: { type: 'integer', minimum: 0 },
  },
  'RateLimit-Reset': {
    description: 'With RATE_LIMIT_POINTS set: seconds until the window ends.',
    schema: { type: 'integer', minimum: 0 },
  },
  'RateLimit-Policy': {
    description: 'With RATE_LIMIT_POINTS set: the quota and its window in seconds, `100;w=60`.',
    schema: { type: 'string' },
  },
} satisfies Record<HeaderName, { description: string; schema: JsonSchema }>;

/** The query parameters of a zod object, each with its schema and description, required unless it has a default. */
const queryParameters = (query: z.ZodObject): ReadonlyArray<OpenApiParameter> => {
  const { properties = {}, required = [] } = toJsonSchema(query, 'input') as {
    properties?: Record<string, JsonSchema & { description?: string }>;
    required?: ReadonlyArray<string>;
  };
  return Object.entries(properties).map(([name, { description, ...schema }]) => ({
    name,
    in: 'query',
    required: required.includes(name),
    ...(typeof description === 'string' ? { description } : {}),
    schema,
  }));
};

/** Each task type's payload schema and submission shape, as named components. */
const taskTypeSchemas = (catalog: Catalog): Record<string, JsonSchema> =>
  Object.fromEntries(
    catalog.names.flatMap((name) => {
      const type = catalog.get(name);
      if (type === undefined) return [];
      // A task module's schema need only have `safeParse` (docs/task-types.md): one that is not a
      // zod 4 schema (zod 3's, say) cannot be converted, and the api checks payloads with it all the same.
      const payload: JsonSchema =
        '_zod' in type.payload
          ? toJsonSchema(type.payload, 'input', `${SCHEMAS}${payloadName(name)}`)
          : { description: NOT_ZOD_4 };
      const own = typeof payload.description === 'string' ? `${payload.description}\n\n` : '';
      return [
        [payloadName(name), { ...payload, description: `${own}${PAYLOAD_CHECKS}` }],
        [
          submissionName(name),
          {
            type: 'object',
            description: `One ${name} task.`,
            properties: { taskType: { type: 'string', const: name }, payload: ref('schemas', payloadName(name)) },
            required: ['taskType', 'payload'],
            additionalProperties: false,
          },
        ],
      ];
    }),
  );

/**
 * One valid task of each type that has a sample payload: the generator's own sample, kept only
 * if the type's schema accepts it, so an example is never one the api would refuse. Swagger UI
 * would otherwise make one up from the schema (for EMAIL, a string matching the address pattern,
 * hundreds of characters long). `sample` is pure by its contract; one that throws fails here, at
 * start, as it would fail the generator.
 */
const sampleTasks = (catalog: Catalog): ReadonlyArray<{ readonly taskType: string; readonly payload: unknown }> =>
  catalog.names.flatMap((name) => {
    const type = catalog.get(name);
    const payload = type?.sample?.(1);
    return type !== undefined && payload !== undefined && type.payload.safeParse(payload).success
      ? [{ taskType: name, payload }]
      : [];
  });

/** One task, of any type: the oneOf of every type's submission, told apart by `taskType`. */
const submissionSchema = (catalog: Catalog): JsonSchema =>
  catalog.names.length === 0
    ? { not: {}, description: 'The catalog has no task types: no task can be submitted.' }
    : {
        description: 'One task: its type, and a payload that matches that type’s schema.',
        oneOf: catalog.names.map((name) => ref('schemas', submissionName(name))),
        discriminator: {
          propertyName: 'taskType',
          mapping: Object.fromEntries(catalog.names.map((name) => [name, `${SCHEMAS}${submissionName(name)}`])),
        },
      };

/** Every 2xx gets the rate limit's headers; the key check's, the limiter's and the 404's answers are added. */
const guarded = (
  responses: Readonly<Record<string, OpenApiResponse | Reference>>,
): Readonly<Record<string, OpenApiResponse | Reference>> => ({
  ...Object.fromEntries(
    Object.entries(responses).map(([status, response]) =>
      status.startsWith('2') && !('$ref' in response)
        ? [status, { ...response, headers: { ...response.headers, ...headers(RATE_LIMIT_HEADERS).headers } }]
        : [status, response],
    ),
  ),
  '401': ref('responses', 'Unauthorized'),
  '429': ref('responses', 'RateLimited'),
  ...('404' in responses ? {} : { '404': ref('responses', 'NotFound') }),
  default: ref('responses', 'Internal'),
});

const BEHIND_KEY = [{ apiKey: [] }, {}] as const;
const OPEN: OpenApiOperation['security'] = [];

const UNAVAILABLE_NOTHING_STORED =
  'Redis unreachable, or (with an Idempotency-Key) PostgreSQL unreachable when Redis alone cannot tell whether the key’s tasks exist; nothing stored.';
const OUTCOME_UNKNOWN =
  'the tasks may be stored: Redis did not confirm the enqueue, or (with a key) the check after it failed. Only a re-send with the same Idempotency-Key settles it without duplicates.';
const MEDIA_TYPE =
  '`Content-Type` is not `application/json`, a charset other than UTF-8, or a `Content-Encoding` other than gzip, deflate, br or identity.';

/**
 * Builds the OpenAPI 3.1 document of an api over `catalog`: every `/api` route with its
 * parameters, bodies, status codes and problem types. Every schema in it is generated from the
 * zod schemas the api checks with (each task type's payload schema, the generator's and the
 * query's) or answers with, so it cannot disagree with the code. Pure; build it once per app.
 *
 * @example
 * const document = buildOpenApiDocument(catalog, { version: '0.1.0' });
 * document.components.schemas.EMAILPayload; // EMAIL's payload schema, as JSON Schema
 */
export const buildOpenApiDocument = (catalog: Catalog, options: { readonly version: string }): OpenApiDocument => {
  const samples = sampleTasks(catalog);
  const sampled = sampledTypes(catalog);
  const bodyErrors = (limit: string): ReadonlyArray<readonly [number, OpenApiResponse]> => [
    [413, problem(413, [['body-too-large', `the body is over ${limit}.`]])],
    [415, problem(415, [['unsupported-media-type', MEDIA_TYPE]])],
  ];
  return {
    openapi: '3.1.1',
    info: {
      title: 'Sluice api',
      version: options.version,
      description:
        'Submit tasks to be run in batches, and follow them. Every error is an RFC 9457 `application/problem+json` document whose `type` is `https://sluice.dev/problems/<code>`; each response lists the codes it may carry. With API_KEYS set, every route but this document and its reference page needs `Authorization: Bearer <key>`; with RATE_LIMIT_POINTS set, they count against the client’s rate limit.',
    },
    tags: [
      { name: 'tasks', description: 'Submit tasks, follow them, and read the batches they ran in.' },
      { name: 'reference', description: 'This document and its reference page: open to anyone, no key needed.' },
    ],
    paths: {
      '/api/tasks': {
        post: {
          operationId: 'submitTask',
          summary: 'Submit one task',
          description:
            'Validates the task against its type’s schema and enqueues it. With an `Idempotency-Key`, the task id is made from the caller and the key: a re-send of the same body answers `200` with the task as it is now, however long ago it ran, and enqueues nothing.',
          tags: ['tasks'],
          security: BEHIND_KEY,
          parameters: [ref('parameters', 'IdempotencyKey')],
          requestBody: {
            required: true,
            description: 'At most 256 KB.',
            content: {
              'application/json': {
                schema: ref('schemas', 'Submission'),
                examples: Object.fromEntries(
                  samples.map((task) => [task.taskType, { summary: `A ${task.taskType} task`, value: task }]),
                ),
              },
            },
          },
          responses: guarded({
            '202': answer('Accepted and enqueued.', 'AcceptedTask', ['Location']),
            '200': answer(
              'A replay: the same caller, `Idempotency-Key` and body as an earlier request. The task as it is now; nothing enqueued.',
              'ReplayedTask',
              ['Location'],
            ),
            '400': problem(400, [
              ['malformed-json', 'the body is not JSON.'],
              ['bad-request', 'a malformed `Idempotency-Key`, or a body that cannot be read.'],
            ]),
            ...Object.fromEntries(bodyErrors('256 KB')),
            '422': problem(422, [
              ['invalid-task', 'the task is not valid: `errors` points at each field; nothing enqueued.'],
              ['idempotency-key-reused', 'the caller already used the key for a different body; nothing enqueued.'],
            ]),
            '503': problem(
              503,
              [
                ['unavailable', UNAVAILABLE_NOTHING_STORED],
                [
                  'queue-full',
                  'the tasks waiting plus this one would be more than QUEUE_HIGH_WATER; nothing enqueued.',
                ],
                ['outcome-unknown', OUTCOME_UNKNOWN],
              ],
              ['Retry-After'],
            ),
          }),
        },
      },
      '/api/tasks/batch': {
        post: {
          operationId: 'submitTasks',
          summary: 'Submit many tasks, or generate load',
          description: `\`{ "tasks": [...] }\` holds 1 to ${MAX_BULK_TASKS.toLocaleString('en')} tasks, all enqueued or none. \`{ "count": n, "taskTypes": [...] }\` makes demo tasks from the types’ sample payloads. With an \`Idempotency-Key\`, a re-send enqueues only the tasks neither Redis nor PostgreSQL holds.`,
          tags: ['tasks'],
          security: BEHIND_KEY,
          parameters: [ref('parameters', 'IdempotencyKey')],
          requestBody: {
            required: true,
            description: 'At most 32 MB.',
            content: {
              'application/json': {
                schema: { oneOf: [ref('schemas', 'BulkRequest'), ref('schemas', 'GeneratorRequest')] },
                examples: {
                  ...(samples.length === 0 ? {} : { tasks: { summary: 'Many tasks', value: { tasks: samples } } }),
                  ...(sampled.length === 0
                    ? {}
                    : { generator: { summary: 'Generate load', value: { count: 1_000, taskTypes: sampled } } }),
                },
              },
            },
          },
          responses: guarded({
            '202': answer('Accepted and enqueued, all of it.', 'AcceptedTasks'),
            '400': problem(400, [
              ['malformed-json', 'the body is not JSON.'],
              [
                'bad-request',
                'the body is not an object of either shape, a malformed `Idempotency-Key`, or a body that cannot be read.',
              ],
            ]),
            ...Object.fromEntries(bodyErrors('32 MB')),
            '422': problem(422, [
              [
                'invalid-task',
                '`tasks` or the generator’s fields are not valid, or any task is not (each pointed at as `/tasks/<i>/…`); at most 100 field errors are listed, `detail` gives the total. Nothing enqueued.',
              ],
              [
                'idempotency-key-reused',
                'the caller already used the key for a different body; `errors` points at each task that differs, or at `/tasks` when the shape differs. Nothing enqueued.',
              ],
            ]),
            '503': problem(
              503,
              [
                ['unavailable', UNAVAILABLE_NOTHING_STORED],
                ['outcome-unknown', OUTCOME_UNKNOWN],
                [
                  'queue-full',
                  'the tasks waiting plus all of this request’s (all of a generator’s `count`) would be more than QUEUE_HIGH_WATER; nothing enqueued.',
                ],
              ],
              ['Retry-After'],
            ),
          }),
        },
      },
      '/api/tasks/{id}': {
        get: {
          operationId: 'getTask',
          summary: 'One task',
          description: 'From PostgreSQL once committed, from BullMQ before.',
          tags: ['tasks'],
          security: BEHIND_KEY,
          parameters: [ref('parameters', 'TaskId')],
          responses: guarded({
            '200': answer('The task.', 'Task'),
            '400': problem(400, [['bad-request', 'the id is not a UUID.']]),
            '404': problem(404, [
              ['task-not-found', 'no task has this id.'],
              ['not-found', NOT_FOUND_WHEN],
            ]),
            '503': problem(503, [['unavailable', 'PostgreSQL or Redis unreachable.']], ['Retry-After']),
          }),
        },
      },
      '/api/tasks/stats': {
        get: {
          operationId: 'getStats',
          summary: 'Totals, per task type and per flush trigger',
          description: 'Aggregated from the `batches` table, not by counting tasks, plus BullMQ’s job counts.',
          tags: ['tasks'],
          security: BEHIND_KEY,
          responses: guarded({
            '200': answer('The figures.', 'TaskStats'),
            '503': problem(503, [['unavailable', 'PostgreSQL or Redis unreachable.']], ['Retry-After']),
          }),
        },
      },
      '/api/tasks/batches': {
        get: {
          operationId: 'listBatches',
          summary: 'The committed batches, newest first',
          tags: ['tasks'],
          security: BEHIND_KEY,
          parameters: queryParameters(batchesQuery),
          responses: guarded({
            '200': answer('A page of batches.', 'BatchPage'),
            '400': problem(400, [['bad-request', '`limit` out of range, or `before` not a batch id.']]),
            '503': problem(503, [['unavailable', 'PostgreSQL unreachable.']], ['Retry-After']),
          }),
        },
      },
      '/api/tasks/throughput': {
        get: {
          operationId: 'getThroughput',
          summary: 'Tasks and batches committed per second',
          description:
            'Over the last `seconds` complete seconds, oldest first, one point per second with zeros for quiet ones.',
          tags: ['tasks'],
          security: BEHIND_KEY,
          parameters: queryParameters(throughputQuery),
          responses: guarded({
            '200': answer('The series.', 'Throughput'),
            '400': problem(400, [['bad-request', '`seconds` out of range.']]),
            '503': problem(503, [['unavailable', 'PostgreSQL unreachable.']], ['Retry-After']),
          }),
        },
      },
      [OPENAPI_PATH]: {
        get: {
          operationId: 'getOpenApiDocument',
          summary: 'This document',
          description: 'Built from the api’s own schemas and its task catalog when it starts. No key needed.',
          tags: ['reference'],
          security: OPEN,
          responses: {
            '200': { description: 'The OpenAPI 3.1 document.', content: json({ type: 'object' }) },
            '304': NOT_MODIFIED,
          },
        },
      },
      [API_DOCS_PATH]: {
        get: {
          operationId: 'getApiDocs',
          summary: 'The API reference page',
          description: 'Swagger UI over this document, served by the api itself. No key needed.',
          tags: ['reference'],
          security: OPEN,
          responses: {
            '200': { description: 'The page.', content: { 'text/html': { schema: { type: 'string' } } } },
            '304': NOT_MODIFIED,
          },
        },
      },
      [`${API_DOCS_PATH}/{file}`]: {
        get: {
          operationId: 'getApiDocsFile',
          summary: 'A file of the API reference page',
          tags: ['reference'],
          security: OPEN,
          parameters: [
            {
              name: 'file',
              in: 'path',
              required: true,
              schema: { type: 'string', enum: Object.keys(API_DOCS_FILES) },
            },
          ],
          responses: {
            '200': {
              description: 'The file.',
              content: Object.fromEntries(
                [...new Set(Object.values(API_DOCS_FILES).map((file) => file.type))].map((type) => [
                  type,
                  { schema: { type: 'string' } },
                ]),
              ),
            },
            '304': NOT_MODIFIED,
            '404': problem(404, [['not-found', 'no such file.']]),
          },
        },
      },
    },
    components: {
      schemas: {
        Submission: submissionSchema(catalog),
        ...taskTypeSchemas(catalog),
        BulkRequest: {
          type: 'object',
          description: 'Many tasks, all enqueued or none.',
          properties: {
            tasks: { type: 'array', items: ref('schemas', 'Submission'), minItems: 1, maxItems: MAX_BULK_TASKS },
          },
          required: ['tasks'],
        },
        GeneratorRequest: toJsonSchema(generatorRequest(catalog), 'input', `${SCHEMAS}GeneratorRequest`),
        AcceptedTask: toJsonSchema(acceptedTask, 'output', `${SCHEMAS}AcceptedTask`),
        ReplayedTask: toJsonSchema(replayedTask, 'output', `${SCHEMAS}ReplayedTask`),
        AcceptedTasks: toJsonSchema(acceptedTasks, 'output', `${SCHEMAS}AcceptedTasks`),
        Task: toJsonSchema(taskView, 'output', `${SCHEMAS}Task`),
        TaskStats: toJsonSchema(taskStats, 'output', `${SCHEMAS}TaskStats`),
        BatchPage: toJsonSchema(batchPage, 'output', `${SCHEMAS}BatchPage`),
        Throughput: toJsonSchema(throughput, 'output', `${SCHEMAS}Throughput`),
        Problem: toJsonSchema(problemDocument, 'output', `${SCHEMAS}Problem`),
      },
      responses: SHARED_RESPONSES,
      parameters: {
        IdempotencyKey: {
          name: 'Idempotency-Key',
          in: 'header',
          required: false,
          description:
            'Makes the request safe to re-send: the task ids are made from the caller and this key, so a re-send names the same tasks and enqueues only what is missing. The same key with another body is a `422 idempotency-key-reused`.',
          schema: toJsonSchema(z.string().regex(IDEMPOTENCY_KEY), 'input'),
        },
        TaskId: {
          name: 'id',
          in: 'path',
          required: true,
          description: 'The task id, as the submission answered it.',
          schema: toJsonSchema(z.guid(), 'input'),
        },
      },
      headers: HEADERS,
      securitySchemes: {
        apiKey: {
          type: 'http',
          scheme: 'bearer',
          description:
            'One of the API_KEYS, as `Authorization: Bearer <key>`. Needed only when the api runs with API_KEYS set; without it every route is open and the header is not read.',
        },
      },
    },
  };
};
