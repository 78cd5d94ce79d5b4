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
  if (!(error instanceof Error)) return { error: String(error) };
  const code = (error as { code?: unknown }).code;
  return {
    error: error.message,
    ...(error.stack === undefined ? {} : { stack: error.stack }),
    ...(typeof code === 'string' || typeof code === 'number' ? { code: String(code) } : {}),
  };
};
