import type { FlushTrigger } from './schema.js';

/** A committed group's batch row, camelCase. See `BatchesTable` for what each count means. */
export interface BatchRecord {
  readonly id: string;
  readonly workerId: string;
  readonly taskType: string;
  /** The `groupBy` key every task of the group shared; `null` for a type without `groupBy`. */
  readonly groupKey: string | null;
  readonly size: number;
  readonly completed: number;
  readonly failed: number;
  readonly retried: number;
  readonly duplicates: number;
  readonly trigger: FlushTrigger;
  readonly openedAt: Date;
  readonly flushedAt: Date;
  readonly committedAt: Date;
  readonly handlerMs: number;
  readonly commitMs: number;
}

/** The select list that turns a `batches` row into a {@link BatchRecord}. */
export const batchRecordColumns = [
  'id',
  'worker_id as workerId',
  'task_type as taskType',
  'group_key as groupKey',
  'size',
  'completed',
  'failed',
  'retried',
  'duplicates',
  'trigger',
  'opened_at as openedAt',
  'flushed_at as flushedAt',
  'committed_at as committedAt',
  'handler_ms as handlerMs',
  'commit_ms as commitMs',
] as const;
