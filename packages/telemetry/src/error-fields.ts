/**
 * A one-line reason for whatever was thrown: an Error's message, anything else as a string. An
 * `AggregateError` with no message of its own (Node reports a refused connection to a name with
 * two addresses, `localhost` as ::1 and 127.0.0.1, that way) gives its members' reasons instead
 * of an empty line.
 *
 * @example
 * logger.warn('commit failed', { error: errorMessage(error) });
 * errorMessage('boom'); // 'boom'
 */
export const errorMessage = (error: unknown): string => {
  if (error instanceof AggregateError && error.message === '') {
    return (error.errors as ReadonlyArray<unknown>).map(errorMessage).join('; ');
  }
  return error instanceof Error ? error.message : String(error);
};

/**
 * The fields a log line needs to describe an error: its message, its stack and, when it has one,
 * its code (a SQLSTATE or a socket error such as ECONNREFUSED).
 *
 * winston's JSON output turns an `Error` nested in a line's fields into `{}`, since its message and
 * stack are not enumerable; spreading these fields keeps them.
 *
 * @example
 * logger.error('unexpected error', { requestId, ...errorFields(error) });
 */
export const errorFields = (
  error: unknown,
): { readonly error: string; readonly stack?: string; readonly code?: string } => {
  if (!(error instanceof Error)) return { error: errorMessage(error) };
  const code = (error as { code?: unknown }).code;
  return {
    error: errorMessage(error),
    ...(error.stack === undefined ? {} : { stack: error.stack }),
    ...(typeof code === 'string' || typeof code === 'number' ? { code: String(code) } : {}),
  };
};
