import type { z } from 'zod';

/** One problem a schema found, at a path into the value it checked. */
export interface PathIssue {
  readonly path: ReadonlyArray<PropertyKey>;
  readonly message: string;
}

type Issue = z.core.$ZodIssue;

/** The JSON type of a value, named as zod names a received type. */
const jsonTypeOf = (value: unknown): string =>
  value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;

const valueAt = (value: unknown, path: ReadonlyArray<PropertyKey>): unknown =>
  path.reduce<unknown>(
    (inner, key) =>
      typeof inner === 'object' && inner !== null ? (inner as Record<PropertyKey, unknown>)[key] : undefined,
    value,
  );

/** The issues of a union branch whose own type is wrong for the value (not one of its fields). */
const typeMismatches = (issues: ReadonlyArray<Issue>): ReadonlyArray<Extract<Issue, { code: 'invalid_type' }>> =>
  issues.flatMap((issue) => (issue.code === 'invalid_type' && issue.path.length === 0 ? [issue] : []));

/**
 * Zod's issues as paths and messages, with every union's failure made as precise as a plain
 * schema's. When no branch of a union fits, zod reports one `invalid_union` issue, "Invalid
 * input", at the union itself: `{ "to": 42 }` against `object | string` would lose its pointer to
 * `/to`. The value's own type decides instead: the one branch that accepts that type (an object
 * for an object) has its field issues reported; when no branch accepts the type, the message names
 * every type that would have done ("expected object or string, received number"). Anything less
 * clear-cut (two object branches, say) keeps zod's issue.
 *
 * @example
 * const schema = z.union([z.object({ to: z.string() }), z.string()]);
 * const result = schema.safeParse({ to: 42 });
 * if (!result.success) explainIssues(result.error.issues, { to: 42 });
 * // [{ path: ['to'], message: 'Invalid input: expected string, received number' }]
 */
export const explainIssues = (
  issues: ReadonlyArray<Issue>,
  input: unknown,
  prefix: ReadonlyArray<PropertyKey> = [],
): ReadonlyArray<PathIssue> =>
  issues.flatMap((issue): ReadonlyArray<PathIssue> => {
    const path = [...prefix, ...issue.path];
    if (issue.code !== 'invalid_union' || issue.errors.length === 0) return [{ path, message: issue.message }];
    // A branch's issues have paths relative to the union, which sits at `path`.
    const fitting = issue.errors.filter((branch) => typeMismatches(branch).length === 0);
    const [only] = fitting;
    if (fitting.length === 1 && only !== undefined) return explainIssues(only, input, path);
    if (fitting.length === 0) {
      const expected = [...new Set(issue.errors.flatMap((branch) => typeMismatches(branch).map((i) => i.expected)))];
      const received = jsonTypeOf(valueAt(input, path));
      return [{ path, message: `Invalid input: expected ${expected.join(' or ')}, received ${received}` }];
    }
    return [{ path, message: issue.message }];
  });
