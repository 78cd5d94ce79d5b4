/**
 * Thrown before any SQL is sent, when a caller passes something the store cannot accept
 * (a page size out of range, a group smaller than its own task list). `field` is a stable
 * path the HTTP layer can put in a problem+json `errors` entry.
 */
export class InvalidArgumentError extends Error {
  override readonly name = 'InvalidArgumentError';

  constructor(
    /** Where the bad value sits, e.g. `limit` or `tasks[3].payload`. */
    readonly field: string,
    /** What is wrong with it, readable on its own: "must be between 1 and 500". */
    readonly problem: string,
    options?: { readonly cause?: unknown },
  ) {
    super(`${field} ${problem}`, options);
  }
}
