import { Counter, Gauge, Histogram, collectDefaultMetrics, type Registry } from 'prom-client';
import { DEFAULT_METRICS_PREFIX, METRIC } from './metric-names.js';

/** Handler, commit and HTTP request durations, 0.5 ms to 10 s. */
const DURATION_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Submission-to-commit latency: around the 3 s batch timeout and the seed's 5 s P95. */
const LATENCY_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2, 3, 3.5, 4, 5, 7.5, 10, 20, 30, 60, 120, 300];

/**
 * prom-client's gauges named like counters (`_total`): `promtool check metrics` rightly flags them.
 * Nothing is lost without them: the gauges of the same name without the suffix
 * (`nodejs_active_handles{type}` and so on) hold the same counts per type; sum them for a total.
 */
const MISNAMED_DEFAULT_GAUGES = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
];

/**
 * The metrics every Sluice process records itself, registered on `registry`. Names follow
 * Prometheus conventions: a `sluice_` prefix, base units (seconds), `_total` on counters. The
 * fleet-wide ones the api reads at scrape time are in `createQueueGauge` and
 * `createCommittedGroupMetrics`.
 *
 * @example
 * const registry = new Registry();
 * const metrics = createMetrics(registry);
 * metrics.tasksSubmitted.inc({ task_type: 'EMAIL' }, 500);
 */
export const createMetrics = (registry: Registry, options: { readonly defaults?: boolean } = {}) => {
  if (options.defaults !== false) {
    collectDefaultMetrics({ register: registry, prefix: DEFAULT_METRICS_PREFIX });
    for (const name of MISNAMED_DEFAULT_GAUGES) registry.removeSingleMetric(`${DEFAULT_METRICS_PREFIX}${name}`);
  }
  const registers = [registry];
  return {
    registry,
    tasksSubmitted: new Counter({
      name: METRIC.tasksSubmitted,
      help: 'Tasks accepted by the api and enqueued.',
      labelNames: ['task_type'] as const,
      registers,
    }),
    tasksFinished: new Counter({
      name: METRIC.tasksFinished,
      help: 'Task attempts finished by a worker, by outcome: completed, failed (final), retried, or expired (its partition was dropped past TASK_RETENTION; no row).',
      labelNames: ['task_type', 'outcome'] as const,
      registers,
    }),
    duplicatesSkipped: new Counter({
      name: METRIC.duplicatesSkipped,
      help: 'Task rows not written because their id was already committed (a redelivered job).',
      labelNames: ['task_type'] as const,
      registers,
    }),
    handlerSeconds: new Histogram({
      name: METRIC.handlerSeconds,
      help: 'Time a task type handler took for one group.',
      labelNames: ['task_type'] as const,
      buckets: DURATION_BUCKETS,
      registers,
    }),
    commitSeconds: new Histogram({
      name: METRIC.commitSeconds,
      help: 'Time to commit one group to PostgreSQL, round trip included.',
      labelNames: ['task_type'] as const,
      buckets: DURATION_BUCKETS,
      registers,
    }),
    taskLatencySeconds: new Histogram({
      name: METRIC.taskLatencySeconds,
      help: 'Time from submission to commit of a task.',
      labelNames: ['task_type'] as const,
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    httpRequestSeconds: new Histogram({
      name: METRIC.httpRequestSeconds,
      help: 'Time the api took to answer a request, by method, matched route pattern and status.',
      // `route` is the pattern (/api/tasks/:id), never the raw path, so the series stay few.
      labelNames: ['method', 'route', 'status'] as const,
      buckets: DURATION_BUCKETS,
      registers,
    }),
  };
};

export type Metrics = ReturnType<typeof createMetrics>;

/**
 * Gauges of one worker's groups, read from its batcher at scrape time.
 */
export const createGroupGauges = (
  registry: Registry,
  snapshot: () => { readonly openGroups: number; readonly processing: number },
): void => {
  new Gauge({
    name: METRIC.groupsOpen,
    help: 'Groups filling in this worker.',
    registers: [registry],
    collect() {
      this.set(snapshot().openGroups);
    },
  });
  new Gauge({
    name: METRIC.groupsCommitting,
    help: 'Groups being handled or committed in this worker.',
    registers: [registry],
    collect() {
      this.set(snapshot().processing);
    },
  });
};

/**
 * A gauge of one label whose values `read` gives at scrape time, one per label value. A read that
 * fails is told to `onError` and leaves the last values: failing the whole scrape would hide every
 * other metric, and mark the api down, exactly while an operator needs them.
 */
const createScrapedGauge = <Label extends string>(
  registry: Registry,
  metric: { readonly name: string; readonly help: string; readonly label: Label },
  read: () => Promise<Readonly<Record<string, number>>>,
  onError: ((error: unknown) => void) | undefined,
): Gauge<Label> =>
  new Gauge({
    name: metric.name,
    help: metric.help,
    labelNames: [metric.label] as const,
    registers: [registry],
    async collect() {
      let values: Readonly<Record<string, number>>;
      try {
        values = await read();
      } catch (error) {
        onError?.(error);
        return;
      }
      for (const [value, count] of Object.entries(values))
        this.set({ [metric.label]: value } as Record<Label, string>, count);
    },
  });

/**
 * Jobs by state in each shard of the tasks queue (labels `state` and `shard`, the shard's number
 * from 0; a queue of one shard is shard 0), read from BullMQ at scrape time: sum over `shard` for
 * the whole queue. Registered only by the api, so that N worker replicas do not report the same
 * queue N times. A read that fails keeps the last counts, as the other scraped gauges do.
 */
export const createQueueGauge = (
  registry: Registry,
  /** Each shard's counts by state, in shard order. */
  collect: () => Promise<ReadonlyArray<Readonly<Record<string, number>>>>,
  /** Told when reading the counts fails (Redis down); the scrape then shows the last counts. */
  onError?: (error: unknown) => void,
): Gauge<'state' | 'shard'> =>
  new Gauge({
    name: METRIC.queueJobs,
    help: 'Jobs in the tasks queue by state and shard, read from BullMQ when scraped.',
    labelNames: ['state', 'shard'] as const,
    registers: [registry],
    async collect() {
      let shards: ReadonlyArray<Readonly<Record<string, number>>>;
      try {
        shards = await collect();
      } catch (error) {
        onError?.(error);
        return;
      }
      shards.forEach((counts, shard) => {
        for (const [state, count] of Object.entries(counts)) this.set({ state, shard: String(shard) }, count);
      });
    },
  });

/**
 * Redis's memory (`used_memory` of `INFO memory`), read at scrape time. Registered by the api
 * only, for the same reason as the queue gauge: every process shares the one Redis.
 */
export const createRedisMemoryGauge = (
  registry: Registry,
  read: () => Promise<number>,
  /** Told when reading fails (Redis down); the scrape then shows the last value. */
  onError?: (error: unknown) => void,
): Gauge =>
  new Gauge({
    name: METRIC.redisMemoryBytes,
    help: "Bytes of memory Redis uses for everything it holds (INFO memory's used_memory), read when scraped.",
    registers: [registry],
    async collect() {
      try {
        this.set(await read());
      } catch (error) {
        onError?.(error);
      }
    },
  });

/**
 * Partitions of each partitioned table (`table` label: tasks, batches), counted from the catalog
 * at scrape time. Registered by the api only: every process shares the one database. It rises by
 * one per PARTITION_INTERVAL and falls back as partitions pass TASK_RETENTION, so a line that only
 * climbs says maintenance has stopped dropping.
 */
export const createPartitionsGauge = (
  registry: Registry,
  read: () => Promise<Readonly<Record<string, number>>>,
  /** Told when reading fails (PostgreSQL down); the scrape then shows the last values. */
  onError?: (error: unknown) => void,
): Gauge<'table'> =>
  createScrapedGauge(
    registry,
    {
      name: METRIC.partitions,
      help: 'Partitions of each time-partitioned table, from the catalog when scraped: created ahead, dropped past TASK_RETENTION.',
      label: 'table',
    },
    read,
    onError,
  );
