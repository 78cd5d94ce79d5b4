import { InvalidArgumentError } from '../invalid-argument-error.js';
import type { TaskStatus } from '../schema.js';
import type { TaskRow } from './group-commit.js';

/** One sink row as it is sent: the columns it names, sorted, and its JSON text. */
export interface SinkRowValues {
  readonly columns: ReadonlyArray<string>;
  readonly json: string;
}

/** A task row as it is sent: JSON already turned into text, so each value is encoded once. */
export interface TaskValues {
  readonly id: string;
  readonly taskType: string;
  /** JSON text, or `null` for SQL NULL. */
  readonly payload: string | null;
  readonly status: TaskStatus;
  /** JSON text, or `null` for SQL NULL. */
  readonly result: string | null;
  readonly error: string | null;
  readonly attempts: number;
  readonly submittedAt: Date;
  readonly startedAt: Date | null;
  /** The task's sink rows, empty when it has none. */
  readonly sinkRows: ReadonlyArray<SinkRowValues>;
}

/** JSON text for a `jsonb[]` element; JavaScript `null`/`undefined` stay SQL NULL. */
const jsonText = (value: unknown, field: string): string | null => {
  if (value === null || value === undefined) return null;
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    throw new InvalidArgumentError(field, 'must be a JSON value', { cause: error });
  }
  // JSON.stringify returns undefined for a function or a symbol: nothing JSON can hold.
  if (text === undefined) throw new InvalidArgumentError(field, 'must be a JSON value');
  return text;
};

/**
 * A sink row's JSON text and the columns it names: the keys `JSON.stringify` keeps (not those
 * whose value is `undefined`, a function or a symbol), sorted so that rows naming the same
 * columns share one insert.
 */
const toSinkRowValues = (row: Readonly<Record<string, unknown>>, field: string): SinkRowValues => {
  const json = jsonText(row, field);
  if (json === null || !json.startsWith('{'))
    throw new InvalidArgumentError(field, 'must be an object of column values');
  const columns = Object.keys(row)
    .filter((key) => {
      const kind = typeof row[key];
      return kind !== 'undefined' && kind !== 'function' && kind !== 'symbol';
    })
    .sort();
  return { columns, json };
};

/**
 * The values of `task` ready for the `unnest()` arrays.
 *
 * @throws {InvalidArgumentError} when the payload, the result or a sink row cannot be turned
 *   into JSON.
 */
export const toTaskValues = (task: TaskRow): TaskValues => ({
  ...task,
  payload: jsonText(task.payload, `tasks[${task.id}].payload`),
  result: jsonText(task.result, `tasks[${task.id}].result`),
  sinkRows: (task.sinkRows ?? []).map((row, index) => toSinkRowValues(row, `tasks[${task.id}].sinkRows[${index}]`)),
});
