/** Five digits or capital letters: the shape of every SQLSTATE PostgreSQL sends. */
const SQLSTATE = /^[0-9A-Z]{5}$/;

/**
 * The SQLSTATE of an error PostgreSQL sent (node-postgres puts it in `code`), or `undefined`.
 * Node's own socket errors also use `code` (`ECONNREFUSED`), and `EPIPE` even fits the
 * shape; callers compare classes and exact codes, none of which starts with `E`, so the two
 * never get mixed up.
 */
export const sqlStateOf = (error: unknown): string | undefined =>
  typeof error === 'object' &&
  error !== null &&
  'code' in error &&
  typeof error.code === 'string' &&
  SQLSTATE.test(error.code)
    ? error.code
    : undefined;
