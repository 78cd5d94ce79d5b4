import { InvalidArgumentError } from '../invalid-argument-error.js';
import type { TaskStatus } from '../schema.js';
import type { TaskRow } from './group-commit.js';

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
 * The values of `task` ready for the `unnest()` arrays.
 *
 * @throws {InvalidArgumentError} when the payload or result cannot be turned into JSON.
 */
export const toTaskValues = (task: TaskRow): TaskValues => ({
  ...task,
  payload: jsonText(task.payload, `tasks[${task.id}].payload`),
  result: jsonText(task.result, `tasks[${task.id}].result`),
});
