/** A `${VAR:?message}` whose variable is missing, or a `${` that is never closed. */
export class InterpolationError extends Error {
  override readonly name = 'InterpolationError';
}
