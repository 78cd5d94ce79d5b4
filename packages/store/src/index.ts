export type { BatchRecord } from './batch-record.js';
export { createDatabaseIfMissing } from './create-database-if-missing.js';
export { createDb } from './create-db.js';
export type { DbOptions } from './create-pool.js';
export { InvalidArgumentError } from './invalid-argument-error.js';
export { isDataError } from './is-data-error.js';
export { isTransientError } from './is-transient-error.js';
export {
  maintainPartitions,
  type MaintenanceOptions,
  type MaintenanceReport,
  type PartitionChange,
} from './maintain-partitions.js';
export { runMigrateCommand, type CommandOutput } from './migrate-command.js';
export { migrateToLatest, type MigrateOptions } from './migrate-to-latest.js';
export { isMissingPartitionError, MissingPartitionError } from './missing-partition-error.js';
export {
  aheadMs,
  coverageOf,
  PARTITION_DEFAULTS,
  type Coverage,
  type PartitionRange,
  type PartitionSettings,
} from './partition-plan.js';
export { MigrationError } from './migration-error.js';
export type { BatchesTable, Database, FlushTrigger, TaskStatus, TasksTable } from './schema.js';
export type {
  CommitResult,
  GroupBatch,
  GroupCommit,
  RejectedTask,
  TaskRow,
} from './sql/group-commit.js';
export { PARTITIONED_TABLES, type PartitionedTable, type PartitionSet } from './sql/list-partitions.js';
export type { GroupSizeCount } from './sql/select-group-sizes.js';
export {
  MAX_BATCH_PAGE,
  type BatchPage,
  type RecentBatchesQuery,
} from './sql/select-recent-batches.js';
export type { StoreStats, TaskTypeStats } from './sql/select-stats.js';
export {
  MAX_THROUGHPUT_SECONDS,
  type Throughput,
  type ThroughputPoint,
  type ThroughputQuery,
} from './sql/select-throughput.js';
export { createStore, type Store } from './store.js';
export type { TaskRecord } from './task-record.js';
