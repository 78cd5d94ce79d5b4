import { isUuid } from '@sluice/tasks';
import { InvalidArgumentError } from '../invalid-argument-error.js';
import { isPgCount, MAX_PG_INTEGER } from '../pg-integer.js';
import type { FlushTrigger } from '../schema.js';
import type { GroupCommit } from './group-commit.js';

/** Every trigger the batcher releases a group with: the compiler refuses this object without one. */
const TRIGGERS: Readonly<Record<FlushTrigger, true>> = { size: true, timeout: true, pressure: true, shutdown: true };
const TRIGGER_NAMES = Object.keys(TRIGGERS).join(', ');

const isValidDate = (value: unknown): value is Date => value instanceof Date && !Number.isNaN(value.getTime());

const checkUuid = (value: string, field: string): void => {
  if (!isUuid(value)) throw new InvalidArgumentError(field, `must be a UUID, got ${JSON.stringify(value)}`);
};

const checkDate = (value: unknown, field: string): void => {
  if (!isValidDate(value)) throw new InvalidArgumentError(field, 'must be a valid Date');
};

const checkText = (value: string, field: string): void => {
  if (value.includes('\u0000')) throw new InvalidArgumentError(field, 'must not contain a NUL character');
};

/**
 * Refuses, before anything is sent, what is the caller's mistake rather than a task's data:
 * the batch row's values, and the task ids and timestamps the worker makes itself.
 *
 * Why here and not in the database: poison isolation rewrites a refused task as a FAILED row
 * keeping its id, timestamps and batch, so these must be values PostgreSQL accepts; checked
 * up front, the FAILED row cannot be refused. What a task carries from its submitter or its
 * handler (type, payload, result, error, attempts, status) is left to PostgreSQL to judge,
 * and a refusal fails that task alone.
 *
 * @throws {InvalidArgumentError} naming the first bad field.
 */
export const checkGroup = (group: GroupCommit): void => {
  const { batch, tasks } = group;
  checkUuid(batch.id, 'batch.id');
  checkText(batch.workerId, 'batch.workerId');
  checkText(batch.taskType, 'batch.taskType');
  if (batch.groupKey !== undefined) checkText(batch.groupKey, 'batch.groupKey');
  if (!Object.hasOwn(TRIGGERS, batch.trigger)) {
    throw new InvalidArgumentError('batch.trigger', `must be one of ${TRIGGER_NAMES}, got ${String(batch.trigger)}`);
  }
  checkDate(batch.openedAt, 'batch.openedAt');
  checkDate(batch.flushedAt, 'batch.flushedAt');
  if (!isPgCount(batch.size) || batch.size < tasks.length) {
    throw new InvalidArgumentError(
      'batch.size',
      `must be a whole number no smaller than the ${tasks.length} task rows given and at most ${MAX_PG_INTEGER}, got ${batch.size}`,
    );
  }
  if (!Number.isFinite(batch.handlerMs) || batch.handlerMs < 0) {
    throw new InvalidArgumentError('batch.handlerMs', `must be a finite number ≥ 0, got ${batch.handlerMs}`);
  }
  tasks.forEach((task, index) => {
    checkUuid(task.id, `tasks[${index}].id`);
    checkDate(task.submittedAt, `tasks[${index}].submittedAt`);
    if (task.startedAt !== null) checkDate(task.startedAt, `tasks[${index}].startedAt`);
  });
};
