import type { TaskStatus } from './task-view.js';

/** What `submit` resolves to. */
export interface Submitted {
  readonly id: string;
  /** QUEUED for a new task; for a replay, the task's status now. */
  readonly status: TaskStatus;
  /**
   * The api held the task already (it answered 200, not 202): an earlier submission with the same
   * Idempotency-Key, or an earlier attempt of this call whose answer was lost.
   */
  readonly replayed: boolean;
}

/** What `submitMany` resolves to: the tasks' ids, `taskIds[i]` being that of `tasks[i]`. */
export interface SubmittedMany {
  readonly accepted: number;
  readonly taskIds: ReadonlyArray<string>;
  /**
   * Sent with an Idempotency-Key (the client makes one up while retries are on): how many of the
   * tasks this request enqueued, 0 for a replay of one that went through.
   */
  readonly enqueued?: number;
  /** Sent with an Idempotency-Key: each task's id and status as it is now. */
  readonly tasks?: ReadonlyArray<{ readonly id: string; readonly status: TaskStatus }>;
}

/** A committed group: one row of `GET /api/tasks/batches`. Times are ISO 8601 texts. */
export interface BatchView {
  readonly id: string;
  readonly workerId: string;
  readonly taskType: string;
  /** The `groupBy` key all its tasks shared; `null` for a type without `groupBy`. */
  readonly groupKey: string | null;
  readonly size: number;
  readonly completed: number;
  readonly failed: number;
  readonly retried: number;
  readonly duplicates: number;
  /** Why the group was released: `size`, `timeout`, `pressure` or `shutdown`. */
  readonly trigger: string;
  readonly openedAt: string;
  readonly flushedAt: string;
  readonly committedAt: string;
  readonly handlerMs: number;
  readonly commitMs: number;
}

/** A page of batches, newest first. */
export interface BatchPage {
  readonly items: ReadonlyArray<BatchView>;
  /** Pass as `before` for the next (older) page; absent on the last one. */
  readonly nextCursor?: string;
}

/** `GET /api/tasks/stats`: figures aggregated from the committed batches, and the queue's job counts. */
export interface Stats {
  readonly totals: {
    readonly batches: number;
    readonly tasks: number;
    readonly completed: number;
    readonly failed: number;
    readonly retried: number;
    readonly duplicates: number;
  };
  readonly byTaskType: ReadonlyArray<{
    readonly taskType: string;
    readonly batches: number;
    readonly completed: number;
    readonly failed: number;
    readonly retried: number;
    readonly duplicates: number;
    readonly averageGroupSize: number;
  }>;
  readonly flushesByTrigger: Readonly<Record<string, number>>;
  readonly commitMs: { readonly average: number | null; readonly p95: number | null };
  /** Jobs by BullMQ state (`waiting`, `active`, `delayed`, …); a parcel of many tasks is one job. */
  readonly queue: Readonly<Record<string, number>>;
}

/** `GET /api/tasks/throughput`: tasks and batches committed per second, oldest first. */
export interface Throughput {
  /** The end of the last second covered (excluded), in epoch ms on the database's clock. */
  readonly until: number;
  readonly intervalMs: number;
  readonly points: ReadonlyArray<{ readonly at: number; readonly tasks: number; readonly batches: number }>;
}
