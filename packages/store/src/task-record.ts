import type { TaskStatus } from './schema.js';

/** A committed task as the store returns it (camelCase, `jsonb` already parsed). */
export interface TaskRecord {
  readonly id: string;
  readonly taskType: string;
  /** The payload as submitted; `null` when it was left out. */
  readonly payload: unknown;
  readonly status: TaskStatus;
  /** The handler's output; `null` for a failed task or a handler that returned nothing. */
  readonly result: unknown;
  readonly error: string | null;
  readonly attempts: number;
  readonly submittedAt: Date;
  readonly startedAt: Date | null;
  readonly committedAt: Date;
  readonly batchId: string;
}

/** The select list that turns a `tasks` row into a {@link TaskRecord}. */
export const taskRecordColumns = [
  'id',
  'task_type as taskType',
  'payload',
  'status',
  'result',
  'error',
  'attempts',
  'submitted_at as submittedAt',
  'started_at as startedAt',
  'committed_at as committedAt',
  'batch_id as batchId',
] as const;
