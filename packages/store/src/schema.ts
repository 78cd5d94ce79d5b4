import type { FlushTrigger } from '@sluice/batching';
import type { ColumnType } from 'kysely';

/** How a task ended. Only finished tasks have a row; a task waiting for a retry has none. */
export type TaskStatus = 'COMPLETED' | 'FAILED';

// The batcher decides why a group was released; `batches.trigger` records it. A type import:
// the store loads nothing of BullMQ.
export type { FlushTrigger };

/** A `timestamptz` column: node-postgres reads it as a `Date`; writes accept a `Date`. */
type Timestamp = ColumnType<Date, Date, never>;

/**
 * A `jsonb` column: read back as the parsed JSON value, written as JSON text (or SQL NULL).
 * Writes go through `JSON.stringify` so node-postgres never guesses how to encode a value.
 */
type Json = ColumnType<unknown, string | null, never>;

/** One row per finished task. Rows are written once and never updated (hence `never` on update). */
export interface TasksTable {
  /** UUIDv7 made at submission: also the BullMQ job id. */
  readonly id: ColumnType<string, string, never>;
  readonly task_type: ColumnType<string, string, never>;
  /** NULL when the payload was left out (a payload PostgreSQL rejected, say). */
  readonly payload: Json;
  readonly status: ColumnType<TaskStatus, TaskStatus, never>;
  readonly result: Json;
  readonly error: ColumnType<string | null, string | null, never>;
  /** Attempts made, counting the one that finished the task (1 = first try). */
  readonly attempts: ColumnType<number, number, never>;
  readonly submitted_at: Timestamp;
  readonly started_at: ColumnType<Date | null, Date | null, never>;
  /** The same instant as the batch row's `committed_at`. */
  readonly committed_at: Timestamp;
  /** The batch that wrote the row (no foreign key: see the migration). */
  readonly batch_id: ColumnType<string, string, never>;
}

/** One row per committed group: what `stats()` and the batches page read. */
export interface BatchesTable {
  /** UUIDv7 made by the worker, so `ORDER BY id` is the order groups were made in. */
  readonly id: ColumnType<string, string, never>;
  readonly worker_id: ColumnType<string, string, never>;
  readonly task_type: ColumnType<string, string, never>;
  /** The `groupBy` key every task of the group shared; NULL for a type without `groupBy`. */
  readonly group_key: ColumnType<string | null, string | null, never>;
  /** Tasks the group held: `completed + failed + retried + duplicates`. */
  readonly size: ColumnType<number, number, never>;
  /** COMPLETED rows this group wrote. */
  readonly completed: ColumnType<number, number, never>;
  /** FAILED rows this group wrote (final failures). */
  readonly failed: ColumnType<number, number, never>;
  /** Tasks sent back to the queue for another attempt: no row written. */
  readonly retried: ColumnType<number, number, never>;
  /** Rows skipped because a task with that id was already written (a redelivery). */
  readonly duplicates: ColumnType<number, number, never>;
  readonly trigger: ColumnType<FlushTrigger, FlushTrigger, never>;
  /** When the group's first task arrived. */
  readonly opened_at: Timestamp;
  /** When the group was released to its handler. */
  readonly flushed_at: Timestamp;
  /** Server time at the start of the commit statement; the task rows carry the same value. */
  readonly committed_at: Timestamp;
  /** Time the handler took for the whole group, measured by the worker, in ms. */
  readonly handler_ms: ColumnType<number, number, never>;
  /**
   * Server-side execution time of the commit statement up to the moment the batch row is
   * made, in ms: every task row is inserted by then. Excludes the network, the wait for a
   * pooled connection, and the WAL flush at commit.
   */
  readonly commit_ms: ColumnType<number, number, never>;
}

/** The database as Kysely sees it. */
export interface Database {
  readonly tasks: TasksTable;
  readonly batches: BatchesTable;
}
