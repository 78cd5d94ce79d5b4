import type { FieldError } from '@sluice/tasks';

/** An RFC 9457 problem document, as every error response of the api is shaped. */
export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  /** Field-level problems, each with an RFC 6901 pointer into the request body. */
  readonly errors?: ReadonlyArray<FieldError>;
}

/**
 * An error the HTTP layer answers with a problem document. `key` is stable: clients may branch
 * on the `type` URI built from it.
 */
export class HttpProblem extends Error {
  override readonly name = 'HttpProblem';

  constructor(
    readonly status: number,
    readonly key: string,
    readonly title: string,
    readonly detail: string,
    readonly options: {
      readonly errors?: ReadonlyArray<FieldError>;
      readonly headers?: Readonly<Record<string, string>>;
      readonly cause?: unknown;
    } = {},
  ) {
    super(detail, options.cause === undefined ? undefined : { cause: options.cause });
  }

  toProblem(): Problem {
    return {
      type: `https://sluice.dev/problems/${this.key}`,
      title: this.title,
      status: this.status,
      detail: this.detail,
      ...(this.options.errors ? { errors: this.options.errors } : {}),
    };
  }
}

/** Field errors listed in one problem document: a body with 40,000 bad keys gets a short answer. */
export const MAX_FIELD_ERRORS = 100;

export const invalidTask = (errors: ReadonlyArray<FieldError>): HttpProblem =>
  new HttpProblem(
    422,
    'invalid-task',
    'The task is not valid',
    `${errors.length} field${errors.length === 1 ? ' is' : 's are'} not valid` +
      `${errors.length > MAX_FIELD_ERRORS ? ` (the first ${MAX_FIELD_ERRORS} are listed)` : ''}; nothing was enqueued.`,
    { errors: errors.slice(0, MAX_FIELD_ERRORS) },
  );

export const badRequest = (detail: string, errors?: ReadonlyArray<FieldError>): HttpProblem =>
  new HttpProblem(400, 'bad-request', 'The request is not valid', detail, errors ? { errors } : {});

/** Redis or PostgreSQL cannot be reached: the client should come back, nothing was accepted. */
export const unavailable = (what: string, cause: unknown, retryAfterSeconds = 1): HttpProblem =>
  new HttpProblem(
    503,
    'unavailable',
    'Service unavailable',
    `${what} is not reachable right now; nothing was changed. Retry after ${retryAfterSeconds} s.`,
    { headers: { 'Retry-After': String(retryAfterSeconds) }, cause },
  );

/**
 * Redis took an enqueue but the connection broke before it answered: the tasks may or may not be
 * stored. Only a re-send with the same Idempotency-Key settles it without risking a duplicate.
 */
export const outcomeUnknown = (cause: unknown, retryAfterSeconds = 1): HttpProblem =>
  new HttpProblem(
    503,
    'outcome-unknown',
    'Service unavailable',
    'Redis did not confirm the enqueue: the tasks may or may not have been stored. Re-send the same ' +
      `request with the same Idempotency-Key after ${retryAfterSeconds} s; without a key a re-send may create them twice.`,
    { headers: { 'Retry-After': String(retryAfterSeconds) }, cause },
  );

/**
 * A keyed enqueue went through, but the look that follows it failed: the key's tasks are stored,
 * and whether they are this request's or those of an earlier request with another body that got
 * there first is not known. A re-send with the same key answers which.
 */
export const checkUnknown = (cause: unknown, retryAfterSeconds = 1): HttpProblem =>
  new HttpProblem(
    503,
    'outcome-unknown',
    'Service unavailable',
    'The tasks were enqueued, but checking them afterwards failed: they are stored, whether as this ' +
      "request's or as an earlier request's under the same Idempotency-Key. Re-send the same request " +
      `with the same key after ${retryAfterSeconds} s: it answers with the tasks as they are, or 422 if the key holds others.`,
    { headers: { 'Retry-After': String(retryAfterSeconds) }, cause },
  );

/**
 * The Idempotency-Key already names tasks that are not this body's (compared in canonical form,
 * so key order does not count); `errors` points at what differs. `raced`: another request with
 * the key and another body enqueued at the same moment, and BullMQ kept its jobs where both had
 * one, so this request's other tasks may be enqueued beside them.
 */
export const keyReused = (key: string, errors: ReadonlyArray<FieldError>, raced = false): HttpProblem =>
  new HttpProblem(
    422,
    'idempotency-key-reused',
    'Idempotency-Key reused',
    `The Idempotency-Key ${JSON.stringify(key.slice(0, 64))} was already used for a different body; ` +
      (raced
        ? 'a request with that body was enqueued at the same moment, and tasks of this one may be enqueued beside it.'
        : 'nothing was enqueued.'),
    { errors: errors.slice(0, MAX_FIELD_ERRORS) },
  );
