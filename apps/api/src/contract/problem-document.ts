import { z } from 'zod';
import { MAX_FIELD_ERRORS } from '../problem.js';

/** Where a problem's `type` URI starts; the rest is its stable code. */
export const PROBLEM_TYPE_BASE = 'https://sluice.dev/problems/';

/**
 * Every problem type an `/api` route answers with. A client may branch on them: they are the
 * stable keys of `HttpProblem`, and the OpenAPI document lists, per response, which it may be.
 */
export const PROBLEM_CODES = Object.freeze([
  'bad-request',
  'malformed-json',
  'body-too-large',
  'unsupported-media-type',
  'invalid-task',
  'idempotency-key-reused',
  'unauthorized',
  'rate-limited',
  'not-found',
  'task-not-found',
  'unavailable',
  'queue-full',
  'outcome-unknown',
  'internal',
] as const);

export type ProblemCode = (typeof PROBLEM_CODES)[number];

/**
 * The `type` URI of a problem code, as `HttpProblem.toProblem()` writes it.
 *
 * @example
 * problemTypeUri('invalid-task'); // 'https://sluice.dev/problems/invalid-task'
 */
export const problemTypeUri = (code: ProblemCode): string => `${PROBLEM_TYPE_BASE}${code}`;

/** One problem with one field of the request. */
export const fieldError = z.object({
  pointer: z
    .string()
    .describe(
      'RFC 6901 JSON Pointer into the request body (`/tasks/3/payload/to`); a query parameter or a header is pointed at by its name (`/limit`, `/headers/idempotency-key`).',
    ),
  message: z.string(),
});

/** An RFC 9457 problem document, as every error of the api is answered (`application/problem+json`). */
export const problemDocument = z
  .object({
    type: z.url().describe(`\`${PROBLEM_TYPE_BASE}<code>\`: the stable key to branch on.`),
    title: z.string().describe('A short summary of the problem type.'),
    status: z.int().min(400).max(599).describe("The response's status code."),
    detail: z.string().describe('What went wrong with this request, for a person.'),
    errors: z
      .array(fieldError)
      .max(MAX_FIELD_ERRORS)
      .optional()
      .describe(`Field-level problems, at most ${MAX_FIELD_ERRORS}; \`detail\` gives the total when there are more.`),
  })
  .describe('RFC 9457 problem details.');
