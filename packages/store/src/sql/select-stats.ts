import { sql, type Kysely } from 'kysely';
import type { Database, FlushTrigger } from '../schema.js';

/** Counts for one task type. */
export interface TaskTypeStats {
  readonly taskType: string;
  readonly batches: number;
  readonly completed: number;
  readonly failed: number;
  readonly retried: number;
  readonly duplicates: number;
  /** Mean tasks per group (`size`), retried ones included. */
  readonly averageGroupSize: number;
}

/** Everything the stats endpoint and the dashboard show, ready to serialise as JSON. */
export interface StoreStats {
  readonly totals: {
    readonly batches: number;
    /** Task rows written: `completed + failed`. */
    readonly tasks: number;
    readonly completed: number;
    readonly failed: number;
    readonly retried: number;
    readonly duplicates: number;
  };
  /** One entry per task type that has committed a batch, by name. */
  readonly byTaskType: ReadonlyArray<TaskTypeStats>;
  /**
   * Groups released because they were full, timed out, left early because the worker's held jobs
   * had reached its BullMQ concurrency (`pressure`), or the worker was stopping.
   */
  readonly flushesByTrigger: Readonly<Record<FlushTrigger, number>>;
  /** Server-side commit statement time (see `BatchesTable.commit_ms`); null before any batch. */
  readonly commitMs: {
    readonly average: number | null;
    readonly p95: number | null;
  };
}

interface StatsRow {
  /** Bit 1 set: task_type not grouped on; bit 0 set: trigger not grouped on. */
  readonly level: number;
  readonly task_type: string | null;
  readonly trigger: FlushTrigger | null;
  readonly batches: number;
  readonly completed: number;
  readonly failed: number;
  readonly retried: number;
  readonly duplicates: number;
  readonly average_size: number | null;
  readonly average_commit_ms: number | null;
  readonly p95_commit_ms: number | null;
}

const OVERALL = 0b11;
const PER_TASK_TYPE = 0b01;
const PER_TRIGGER = 0b10;

/**
 * Aggregates the `batches` table: one row per group, about a hundredth of the `tasks` rows,
 * which is never counted. One statement with grouping sets computes the totals, the per-type
 * figures and the per-trigger counts from a single snapshot, so they always add up.
 *
 * @example
 * const stats = await selectStats(db);
 * console.log(stats.totals.completed, stats.commitMs.p95);
 */
export const selectStats = async (db: Kysely<Database>): Promise<StoreStats> => {
  const { rows } = await sql<StatsRow>`
    SELECT GROUPING(task_type, trigger) AS level, task_type, trigger,
           count(*) AS batches,
           coalesce(sum(completed), 0) AS completed,
           coalesce(sum(failed), 0) AS failed,
           coalesce(sum(retried), 0) AS retried,
           coalesce(sum(duplicates), 0) AS duplicates,
           avg(size) AS average_size,
           avg(commit_ms) AS average_commit_ms,
           percentile_cont(0.95) WITHIN GROUP (ORDER BY commit_ms) AS p95_commit_ms
    FROM batches
    GROUP BY GROUPING SETS ((), (task_type), (trigger))
    ORDER BY level, task_type, trigger
  `.execute(db);

  const overall = rows.find((row) => row.level === OVERALL);
  const byTaskType = rows
    .filter((row) => row.level === PER_TASK_TYPE)
    .map(
      (row): TaskTypeStats => ({
        taskType: row.task_type ?? '',
        batches: row.batches,
        completed: row.completed,
        failed: row.failed,
        retried: row.retried,
        duplicates: row.duplicates,
        averageGroupSize: row.average_size ?? 0,
      }),
    );
  const flushesByTrigger: Record<FlushTrigger, number> = { size: 0, timeout: 0, pressure: 0, shutdown: 0 };
  for (const row of rows) {
    if (row.level === PER_TRIGGER && row.trigger !== null) flushesByTrigger[row.trigger] = row.batches;
  }
  const completed = overall?.completed ?? 0;
  const failed = overall?.failed ?? 0;
  return {
    totals: {
      batches: overall?.batches ?? 0,
      tasks: completed + failed,
      completed,
      failed,
      retried: overall?.retried ?? 0,
      duplicates: overall?.duplicates ?? 0,
    },
    byTaskType,
    flushesByTrigger,
    commitMs: {
      average: overall?.average_commit_ms ?? null,
      p95: overall?.p95_commit_ms ?? null,
    },
  };
};
