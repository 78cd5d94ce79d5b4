/**
 * A one-line reason for whatever was thrown, for the messages the store makes itself (a refused
 * row's error, a failed migration, the migrate command's output). An `AggregateError` with no
 * message of its own (Node reports a refused connection to a name with several addresses,
 * `localhost` as ::1 and 127.0.0.1, that way) gives its members' reasons instead. The apps'
 * log lines use `errorMessage` from @sluice/telemetry, which the store does not load.
 */
export const errorMessage = (error: unknown): string => {
  if (error instanceof AggregateError && error.message === '') {
    return (error.errors as ReadonlyArray<unknown>).map(errorMessage).join('; ');
  }
  return error instanceof Error ? error.message : String(error);
};
