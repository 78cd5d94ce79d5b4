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
