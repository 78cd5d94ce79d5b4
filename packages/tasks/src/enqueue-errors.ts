import type { FieldError } from './submission.js';

const listed = (errors: ReadonlyArray<FieldError>): string =>
  errors
    .slice(0, 3)
    .map((error) => `${error.pointer || '/'} ${error.message}`)
    .join('; ') + (errors.length > 3 ? `; and ${errors.length - 3} more` : '');

/**
 * A submission the catalog refuses: the api's `422 invalid-task`, with the same `errors`.
 * Nothing was enqueued.
 */
export class InvalidTaskError extends Error {
  override readonly name = 'InvalidTaskError';
  readonly errors: ReadonlyArray<FieldError>;

  constructor(errors: ReadonlyArray<FieldError>) {
    super(
      `${errors.length} field${errors.length === 1 ? ' is' : 's are'} not valid; nothing was enqueued: ${listed(errors)}`,
    );
    this.errors = errors;
  }
}

/**
 * The Idempotency-Key already names tasks that are not this body's: the api's
 * `422 idempotency-key-reused`. `raced`: a request with the key and another body was enqueued at
 * the same moment, so some of this one's tasks may be enqueued beside it; otherwise nothing was.
 */
export class IdempotencyKeyReusedError extends Error {
  override readonly name = 'IdempotencyKeyReusedError';
  readonly key: string;
  readonly errors: ReadonlyArray<FieldError>;
  readonly raced: boolean;

  constructor(key: string, errors: ReadonlyArray<FieldError>, raced = false) {
    super(
      `The Idempotency-Key ${JSON.stringify(key.slice(0, 64))} was already used for a different body; ` +
        `${raced ? 'a request with that body was enqueued at the same moment' : 'nothing was enqueued'}: ${listed(errors)}`,
    );
    this.key = key;
    this.errors = errors;
    this.raced = raced;
  }
}

/** Redis or PostgreSQL could not be asked, so nothing was changed: the api's `503 unavailable`. */
export class UnavailableError extends Error {
  override readonly name = 'UnavailableError';
  readonly server: 'Redis' | 'PostgreSQL';

  constructor(server: 'Redis' | 'PostgreSQL', cause: unknown) {
    super(`${server} is not reachable right now; nothing was changed`, { cause });
    this.server = server;
  }
}

/**
 * The tasks may be stored: the api's `503 outcome-unknown`. `enqueue`: Redis did not confirm the
 * enqueue. `check`: a keyed enqueue went through but the look after it failed, so whether the
 * key's tasks are this body's is not known. Either way, only a re-send with the same
 * Idempotency-Key settles it without a duplicate.
 */
export class OutcomeUnknownError extends Error {
  override readonly name = 'OutcomeUnknownError';
  readonly stage: 'enqueue' | 'check';

  constructor(stage: 'enqueue' | 'check', cause: unknown) {
    super(
      stage === 'enqueue'
        ? 'Redis did not confirm the enqueue: the tasks may or may not be stored; re-send with the same Idempotency-Key'
        : 'The tasks were enqueued, but checking them afterwards failed; re-send with the same Idempotency-Key',
      { cause },
    );
    this.stage = stage;
  }
}

/**
 * Our Redis connections should have no offline queue, so a command refused while disconnected was
 * never sent ("Stream isn't writeable"). Any other failure may have come after Redis ran it.
 */
const NEVER_SENT = /Stream isn't writeable|Connection is closed|connect ECONNREFUSED/;

/**
 * What a failed enqueue means: `UnavailableError` when the command never reached Redis, else
 * `OutcomeUnknownError`. Errors already classified pass through.
 */
export const enqueueFailure = (error: unknown): Error => {
  if (error instanceof UnavailableError || error instanceof OutcomeUnknownError) return error;
  return NEVER_SENT.test(error instanceof Error ? error.message : String(error))
    ? new UnavailableError('Redis', error)
    : new OutcomeUnknownError('enqueue', error);
};
