import type { Kysely } from 'kysely';
import type { BatchRecord } from './batch-record.js';
import { maintainPartitions, type MaintenanceOptions, type MaintenanceReport } from './maintain-partitions.js';
import type { PartitionSettings } from './partition-plan.js';
import type { Database } from './schema.js';
import { commitGroup } from './sql/commit-group.js';
import type { CommitResult, GroupCommit } from './sql/group-commit.js';
import { findBatch } from './sql/find-batch.js';
import { findTask } from './sql/find-task.js';
import { findTasks } from './sql/find-tasks.js';
import { listPartitions, type PartitionSet } from './sql/list-partitions.js';
import { missingTables } from './sql/missing-tables.js';
import { ping } from './sql/ping.js';
import { selectGroupSizes, type GroupSizeCount } from './sql/select-group-sizes.js';
import { selectRecentBatches, type BatchPage, type RecentBatchesQuery } from './sql/select-recent-batches.js';
import { selectStats, type StoreStats } from './sql/select-stats.js';
import { selectThroughput, type Throughput, type ThroughputQuery } from './sql/select-throughput.js';
import type { TaskRecord } from './task-record.js';

/** Sluice's PostgreSQL storage: the group commit and the queries behind the API. */
export interface Store {
  /**
   * Writes a group in one statement, isolating rows PostgreSQL refuses for their data; see
   * {@link commitGroup}.
   */
  commitGroup(group: GroupCommit): Promise<CommitResult>;
  /** A committed task, or `undefined`. */
  findTask(id: string): Promise<TaskRecord | undefined>;
  /** The committed rows among `ids`, in one statement; ids without a row are absent. */
  findTasks(ids: ReadonlyArray<string>): Promise<ReadonlyArray<TaskRecord>>;
  /** A batch row, or `undefined`. */
  findBatch(id: string): Promise<BatchRecord | undefined>;
  /** Totals, per task type, per trigger and commit times, from the `batches` table. */
  stats(): Promise<StoreStats>;
  /** Committed groups counted by task type, trigger and size (the api's group metrics). */
  groupSizes(): Promise<ReadonlyArray<GroupSizeCount>>;
  /** Batches newest first, a page at a time. */
  recentBatches(query: RecentBatchesQuery): Promise<BatchPage>;
  /** Tasks committed per second over the last `seconds` complete seconds, from the `batches` table. */
  throughput(query: ThroughputQuery): Promise<Throughput>;
  /**
   * Creates partitions ahead and drops those past the retention, under a lock one process holds
   * at a time; see {@link maintainPartitions}.
   */
  maintainPartitions(settings: PartitionSettings, options?: MaintenanceOptions): Promise<MaintenanceReport>;
  /** The partitions of `tasks` and `batches`, oldest first. */
  partitions(): Promise<PartitionSet>;
  /** Resolves when the database answers `SELECT 1`. */
  ping(): Promise<void>;
  /** The tables among `tables` (`table` or `schema.table`, as a sink names them) the database lacks. */
  missingTables(tables: ReadonlyArray<string>): Promise<string[]>;
}

/**
 * The store over a Kysely instance the caller owns (and destroys): the store opens and closes
 * nothing itself, so one pool can serve it and anything else in the process.
 *
 * @example
 * const db = createDb(config.databaseUrl, { poolSize: config.dbPoolSize });
 * const store = createStore(db);
 * const page = await store.recentBatches({ limit: 20 });
 * await db.destroy();
 */
export const createStore = (db: Kysely<Database>): Store =>
  Object.freeze({
    commitGroup: (group: GroupCommit) => commitGroup(db, group),
    findTask: (id: string) => findTask(db, id),
    findTasks: (ids: ReadonlyArray<string>) => findTasks(db, ids),
    findBatch: (id: string) => findBatch(db, id),
    stats: () => selectStats(db),
    groupSizes: () => selectGroupSizes(db),
    recentBatches: (query: RecentBatchesQuery) => selectRecentBatches(db, query),
    throughput: (query: ThroughputQuery) => selectThroughput(db, query),
    maintainPartitions: (settings: PartitionSettings, options?: MaintenanceOptions) =>
      maintainPartitions(db, settings, options),
    partitions: () => listPartitions(db),
    missingTables: (tables: ReadonlyArray<string>) => missingTables(db, tables),
    ping: () => ping(db),
  });
