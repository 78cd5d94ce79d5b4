import type { TaskRow } from './sql/group-commit.js';

/**
 * A committed task as the store returns it: the row the worker gave, exactly (`jsonb` parsed
 * back, SQL NULL as `null`), plus when and by which batch it was written.
 */
export interface TaskRecord extends TaskRow {
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
