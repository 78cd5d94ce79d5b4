import type { FlushTrigger, TaskStatus } from '../schema.js';

/** One finished task, as the worker hands it to the store. */
export interface TaskRow {
  /** The task's UUIDv7: primary key, so a redelivered task is skipped rather than written twice. */
  readonly id: string;
  readonly taskType: string;
  /** Any JSON value. `null` or `undefined` is stored as SQL NULL. */
  readonly payload: unknown;
  readonly status: TaskStatus;
  /** The handler's output, any JSON value; `null` or `undefined` is stored as SQL NULL. */
  readonly result: unknown;
  readonly error: string | null;
  /** Attempts made, counting the one that finished the task. */
  readonly attempts: number;
  readonly submittedAt: Date;
  readonly startedAt: Date | null;
  /**
   * Rows for the group's {@link GroupCommit.sinkTable}, COMPLETED tasks only: written in the
   * same statement as the task's row, and only when that row is newly written, so a redelivered
   * task adds none. Each row names the columns it sets (a column left out takes its default);
   * PostgreSQL casts each JSON value to its column's type. Default: none.
   */
  readonly sinkRows?: ReadonlyArray<Readonly<Record<string, unknown>>>;
}

/** The group a batch row describes. */
export interface GroupBatch {
  /** A fresh UUIDv7 per commit, so `ORDER BY id` lists batches in time order. */
  readonly id: string;
  readonly workerId: string;
  readonly taskType: string;
  /** The `groupBy` key every task of the group shared, stored as `group_key`. Default: NULL. */
  readonly groupKey?: string;
  readonly trigger: FlushTrigger;
  readonly openedAt: Date;
  readonly flushedAt: Date;
  /** How long the handler took for the group, in ms. */
  readonly handlerMs: number;
  /**
   * Tasks the group held, including those sent back for a retry, which get no row here:
   * `size - tasks.length` is recorded as `retried`.
   */
  readonly size: number;
}

/** A released group's batch row and the rows of its finished tasks. */
export interface GroupCommit {
  readonly batch: GroupBatch;
  /** Finished tasks only (COMPLETED or final FAILED). May be empty when every task is retried. */
  readonly tasks: ReadonlyArray<TaskRow>;
  /**
   * The user's own table the tasks' {@link TaskRow.sinkRows} go to: `table` or `schema.table`,
   * each part a plain identifier (`SQL_IDENTIFIER` of `@sluice/tasks`), quoted as written.
   * Required when any task carries sink rows.
   */
  readonly sinkTable?: string;
}

/**
 * A task whose row, or one of whose sink rows, PostgreSQL refused for its data. It was written
 * as a FAILED row instead, with no payload, no result and no sink rows, and `error` reading
 * `rejected by PostgreSQL (<sqlState>): <message>`. Its job should fail for good: the same
 * values would be refused again.
 */
export interface RejectedTask {
  readonly id: string;
  /** The SQLSTATE of the refusal: class 22 (data exception) or 23 (integrity constraint). */
  readonly sqlState: string;
  /** The server's message, as it sent it, e.g. `unsupported Unicode escape sequence`. */
  readonly message: string;
}

/** What a commit wrote. */
export interface CommitResult {
  /**
   * Task rows written, COMPLETED and FAILED, the FAILED rows of {@link rejected} tasks
   * included: always the batch row's `completed + failed`.
   */
  readonly inserted: number;
  /**
   * Task rows skipped because a row with that id already existed: the batch row's
   * `duplicates`. A rejected task whose id already had a row counts here, not in `rejected`.
   */
  readonly duplicates: number;
  /**
   * The ids of the task rows this commit wrote, spelled as given, in id order; the FAILED rows
   * of {@link rejected} tasks included. A task that is not listed was a duplicate: its id
   * already had a row (an earlier run of the task committed it), which is what the task's
   * outcome is now.
   */
  readonly written: ReadonlyArray<string>;
  /** Server time of the commit, as stored in `committed_at` of every row it wrote. */
  readonly committedAt: Date;
  /**
   * Tasks PostgreSQL refused for their data, each now a FAILED row; in id order, empty when
   * every row went in as given (always, on the one-statement path).
   */
  readonly rejected: ReadonlyArray<RejectedTask>;
}
