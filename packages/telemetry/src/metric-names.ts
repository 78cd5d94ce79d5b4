/**
 * The name of every series Sluice exposes, in one place: `createMetrics` registers them and the
 * Grafana dashboard queries them, so a renamed metric breaks the build instead of a panel.
 *
 * Prometheus conventions: a `sluice_` prefix, base units (seconds, bytes), `_total` on counters.
 */
export const METRIC = {
  tasksSubmitted: 'sluice_tasks_submitted_total',
  tasksFinished: 'sluice_tasks_finished_total',
  duplicatesSkipped: 'sluice_duplicates_skipped_total',
  groupFlushes: 'sluice_group_flushes_total',
  groupSize: 'sluice_group_size',
  handlerSeconds: 'sluice_handler_seconds',
  commitSeconds: 'sluice_commit_seconds',
  taskLatencySeconds: 'sluice_task_latency_seconds',
  httpRequestSeconds: 'sluice_http_request_duration_seconds',
  groupsOpen: 'sluice_groups_open',
  groupsCommitting: 'sluice_groups_committing',
  queueJobs: 'sluice_queue_jobs',
  redisMemoryBytes: 'sluice_redis_memory_bytes',
  partitions: 'sluice_partitions',
} as const;

/** prom-client's default process metrics carry this prefix too, so one `sluice_` filter finds all. */
export const DEFAULT_METRICS_PREFIX = 'sluice_';

/** The default process metrics the dashboard reads (prom-client's names, with our prefix). */
export const PROCESS_METRIC = {
  residentMemoryBytes: `${DEFAULT_METRICS_PREFIX}process_resident_memory_bytes`,
  heapUsedBytes: `${DEFAULT_METRICS_PREFIX}nodejs_heap_size_used_bytes`,
  eventLoopLagP99Seconds: `${DEFAULT_METRICS_PREFIX}nodejs_eventloop_lag_p99_seconds`,
} as const;

/**
 * Values of the `outcome` label of {@link METRIC.tasksFinished}. `expired`: the task's partition
 * was dropped past TASK_RETENTION before it could be committed; its job failed for good, no row.
 */
export const TASK_OUTCOMES = ['completed', 'failed', 'retried', 'expired'] as const;
export type TaskOutcomeLabel = (typeof TASK_OUTCOMES)[number];

/**
 * Values of the `trigger` label of {@link METRIC.groupFlushes}: what released a group. The
 * batcher's `FlushTrigger` of @sluice/batching, which this package does not depend on.
 */
export const FLUSH_TRIGGERS = ['size', 'timeout', 'pressure', 'shutdown'] as const;
export type FlushTriggerLabel = (typeof FLUSH_TRIGGERS)[number];
