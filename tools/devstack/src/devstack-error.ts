/**
 * A failure whose message already tells the developer what to do (install redis-server, free a
 * port, run the build). It is printed on its own, without a stack trace.
 */
export class DevstackError extends Error {
  override readonly name = 'DevstackError';
}
