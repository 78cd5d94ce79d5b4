import { kindOf } from './kind-of.js';

/** PostgreSQL's longest identifier, in bytes (NAMEDATALEN − 1); a longer name is cut short. */
const MAX_COLUMN_NAME_BYTES = 63;

const isPlainObject = (value: unknown): boolean => {
  if (typeof value !== 'object' || value === null) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
};

/**
 * Why `rows`, what a sink's `rows(task, result)` answered, cannot go into a table, or `undefined`
 * when it can: it must be an array of plain objects whose keys are column names (not empty, no
 * NUL character, at most 63 bytes, or PostgreSQL would cut them short). Whether each value fits
 * its column is PostgreSQL's to say; whether it is JSON at all is the caller's (as for a result).
 * The text completes "the sink's rows are …".
 *
 * @example
 * sinkRowsProblem([{ task_id: 'a', url: '/' }]); // undefined
 * sinkRowsProblem({ url: '/' }); // 'an object, not an array of rows'
 */
export const sinkRowsProblem = (rows: unknown): string | undefined => {
  if (!Array.isArray(rows)) return `${kindOf(rows)}, not an array of rows`;
  for (const [index, row] of rows.entries()) {
    if (!isPlainObject(row)) return `not all rows: row ${index} is ${kindOf(row)}, not a plain object of column values`;
    for (const key of Object.keys(row as object)) {
      if (key === '' || key.includes('\u0000') || Buffer.byteLength(key) > MAX_COLUMN_NAME_BYTES) {
        return `not all rows: row ${index} has the column name ${JSON.stringify(key)}, which is empty, holds a NUL character or is over ${MAX_COLUMN_NAME_BYTES} bytes`;
      }
    }
  }
  return undefined;
};
