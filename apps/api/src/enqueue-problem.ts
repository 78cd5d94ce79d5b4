import { IdempotencyKeyReusedError, InvalidTaskError, OutcomeUnknownError, UnavailableError } from '@sluice/tasks';
import { checkUnknown, HttpProblem, invalidTask, keyReused, outcomeUnknown, unavailable } from './problem.js';

/**
 * The problem document for an error of @sluice/tasks' enqueue path (the rules the api and
 * createEnqueuer share), so both say the same thing; anything else is rethrown as it is.
 */
export const enqueueProblem = (error: unknown): unknown => {
  if (error instanceof HttpProblem) return error;
  if (error instanceof InvalidTaskError) return invalidTask(error.errors);
  if (error instanceof IdempotencyKeyReusedError) return keyReused(error.key, error.errors, error.raced);
  if (error instanceof UnavailableError) return unavailable(error.server, error.cause);
  if (error instanceof OutcomeUnknownError)
    return error.stage === 'check' ? checkUnknown(error.cause) : outcomeUnknown(error.cause);
  return error;
};
