import { DashboardCursorSync, ThresholdsMode, type Dashboard, type Panel } from '@grafana/schema';
import { METRIC, PROCESS_METRIC } from '../metric-names.js';
import { barGauge, query, stat, timeSeries, type UnplacedPanel } from './panels.js';
import { DASHBOARD_UID, SCRAPE_JOBS } from './prometheus-setup.js';

/** Grafana widens this to at least four scrape intervals, so a rate always spans two samples. */
const RATE_WINDOW = '$__rate_interval';

const rate = (series: string): string => `rate(${series}[${RATE_WINDOW}])`;

/**
 * For series every api replica reads from the shared queue or store (queue depth, committed
 * groups): each replica reports the same numbers, so take one rather than adding them up.
 */
const oncePerFleet = (expr: string): string => `max without (instance, job) (${expr})`;

/** A quantile of a histogram over all processes (and, with `by`, per label value). */
const quantile = (q: number, histogram: string, by: ReadonlyArray<string> = []): string =>
  `histogram_quantile(${q}, sum by (${['le', ...by].join(', ')}) (${rate(`${histogram}_bucket`)}))`;

/**
 * The panels, in reading order: is work flowing, how is it grouped, how fast, what went wrong,
 * and are the processes healthy. Each description is the one line docs/operations.md repeats.
 */
const panels = (): ReadonlyArray<UnplacedPanel> => [
  timeSeries({
    title: 'Throughput: submitted vs committed',
    description:
      'Tasks accepted by the api per second against tasks committed to PostgreSQL (completed or failed for good) per second; a lasting gap means the queue is growing.',
    unit: 'ops',
    size: { w: 12, h: 8 },
    queries: [
      query(`sum(${rate(METRIC.tasksSubmitted)})`, 'submitted'),
      query(`sum(${rate(`${METRIC.tasksFinished}{outcome=~"completed|failed"}`)})`, 'committed'),
    ],
  }),
  timeSeries({
    title: 'Queue depth by state',
    description:
      'Jobs in the BullMQ queue by state (waiting, active = held in a group, delayed = waiting for a retry, prioritized, failed for good), summed over its shards (QUEUE_SHARDS), read from Redis by the api at each scrape.',
    unit: 'short',
    size: { w: 8, h: 8 },
    queries: [query(`sum by (state) (max by (state, shard) (${METRIC.queueJobs}{state!="completed"}))`, '{{state}}')],
  }),
  stat({
    title: 'Workers up',
    description: 'Worker processes that answered the last scrape, and whether the api did (1 = up).',
    unit: 'none',
    size: { w: 4, h: 8 },
    thresholds: {
      mode: ThresholdsMode.Absolute,
      steps: [
        { color: 'red', value: null },
        { color: 'green', value: 1 },
      ],
    },
    queries: [
      query(`sum(up{job="${SCRAPE_JOBS.worker}"})`, 'workers'),
      query(`sum(up{job="${SCRAPE_JOBS.api}"})`, 'api'),
    ],
  }),
  barGauge({
    title: 'Group size distribution',
    description:
      'Groups committed over the selected time range, by size bucket (tasks per group); under steady load nearly all are full (BATCH_SIZE), or a share of it when many task types leave under pressure (see Flushes by trigger); many small ones mean groups leave on the timeout.',
    unit: 'short',
    size: { w: 12, h: 8 },
    queries: [
      query(`sum by (le) (${oncePerFleet(`increase(${METRIC.groupSize}_bucket[$__range])`)})`, '{{le}}', {
        format: 'heatmap',
        instant: true,
      }),
    ],
  }),
  timeSeries({
    title: 'Flushes by trigger',
    description:
      'Groups committed per second by what released them: size (the group was full), timeout (its oldest task waited BATCH_TIMEOUT_MS), pressure (its worker held as many jobs as it may, so the fullest group left early: many keys at once) or shutdown (a stopping worker flushed it).',
    unit: 'ops',
    size: { w: 12, h: 8 },
    queries: [query(`sum by (trigger) (${oncePerFleet(rate(METRIC.groupFlushes))})`, '{{trigger}}')],
  }),
  timeSeries({
    title: 'Average group size by task type',
    description: 'Mean tasks per committed group for each task type.',
    unit: 'short',
    size: { w: 8, h: 8 },
    queries: [
      query(
        `max by (task_type) (${rate(`${METRIC.groupSize}_sum`)}) / max by (task_type) (${rate(`${METRIC.groupSize}_count`)})`,
        '{{task_type}}',
      ),
    ],
  }),
  timeSeries({
    title: 'Groups open and committing',
    description:
      'Groups filling in all workers, and groups being handled or committed; committing stuck at BATCH_CONCURRENCY per worker means handlers or PostgreSQL are the bottleneck.',
    unit: 'short',
    size: { w: 8, h: 8 },
    queries: [query(`sum(${METRIC.groupsOpen})`, 'open'), query(`sum(${METRIC.groupsCommitting})`, 'committing')],
  }),
  timeSeries({
    title: 'Failures, retries and duplicates skipped',
    description:
      'Per second: tasks failed for good, attempts sent back for a retry with backoff, tasks expired (their partition was dropped past TASK_RETENTION before they committed), and redelivered tasks whose row was already committed (skipped, never written twice).',
    unit: 'ops',
    size: { w: 8, h: 8 },
    queries: [
      query(`sum by (outcome) (${rate(`${METRIC.tasksFinished}{outcome=~"failed|retried|expired"}`)})`, '{{outcome}}'),
      query(`sum(${rate(METRIC.duplicatesSkipped)})`, 'duplicates skipped'),
    ],
  }),
  timeSeries({
    title: 'Commit duration p50 / p95 / p99',
    description: 'Time to write one group to PostgreSQL in one statement, round trip included.',
    unit: 's',
    size: { w: 8, h: 8 },
    queries: [0.5, 0.95, 0.99].map((q) => query(quantile(q, METRIC.commitSeconds), `p${Math.round(q * 100)}`)),
  }),
  timeSeries({
    title: 'Handler duration p95 by task type',
    description: "Time a task type's handler took for one whole group (the simulated provider call in the demo).",
    unit: 's',
    size: { w: 8, h: 8 },
    queries: [query(quantile(0.95, METRIC.handlerSeconds, ['task_type']), '{{task_type}}')],
  }),
  timeSeries({
    title: 'Task latency p95 / p99',
    description:
      "Time from a task's submission to the commit of its row; the seed's promise was a P95 under 5 s, and a group's wait is at most BATCH_TIMEOUT_MS of it.",
    unit: 's',
    size: { w: 8, h: 8 },
    queries: [0.95, 0.99].map((q) => query(quantile(q, METRIC.taskLatencySeconds), `p${Math.round(q * 100)}`)),
  }),
  timeSeries({
    title: 'Memory per process',
    description: 'Resident memory (RSS) and V8 heap in use of the api and of each worker.',
    unit: 'bytes',
    size: { w: 12, h: 8 },
    queries: [
      query(PROCESS_METRIC.residentMemoryBytes, '{{job}} {{instance}} RSS'),
      query(`sum by (job, instance) (${PROCESS_METRIC.heapUsedBytes})`, '{{job}} {{instance}} heap'),
    ],
  }),
  timeSeries({
    title: 'Event-loop lag p99 per process',
    description:
      'How late timers fire in each process (99th percentile): a busy or blocked event loop delays lock renewals and group timeouts.',
    unit: 's',
    size: { w: 12, h: 8 },
    queries: [query(PROCESS_METRIC.eventLoopLagP99Seconds, '{{job}} {{instance}}')],
  }),
  timeSeries({
    title: 'HTTP requests by route and status',
    description: 'Requests the api answered per second, by route pattern and status code.',
    unit: 'reqps',
    size: { w: 12, h: 8 },
    queries: [query(`sum by (route, status) (${rate(`${METRIC.httpRequestSeconds}_count`)})`, '{{route}} {{status}}')],
  }),
  timeSeries({
    title: 'HTTP duration p95 by route',
    description: 'How long the api took to answer, 95th percentile per route pattern.',
    unit: 's',
    size: { w: 12, h: 8 },
    queries: [query(quantile(0.95, METRIC.httpRequestSeconds, ['route']), '{{route}}')],
  }),
  timeSeries({
    title: 'Redis memory',
    description:
      "Bytes Redis uses for everything it holds (INFO memory's used_memory), read by the api at each scrape; it follows the queued tasks, and stays bounded by QUEUE_HIGH_WATER, FAILED_JOBS_MAX and EVENTS_MAX_LEN.",
    unit: 'bytes',
    size: { w: 12, h: 8 },
    queries: [query(oncePerFleet(METRIC.redisMemoryBytes), 'used_memory')],
  }),
  timeSeries({
    title: 'Partitions',
    description:
      'Partitions of tasks and of batches, read by the api at each scrape: one more each PARTITION_INTERVAL, one fewer as each passes TASK_RETENTION, so the line stays level; a line that only climbs means no worker is dropping them.',
    unit: 'short',
    size: { w: 12, h: 8 },
    queries: [query(`max without (instance, job) (${METRIC.partitions})`, '{{table}}')],
  }),
];

/** Grafana's grid is 24 columns wide: panels fill a row left to right, then wrap. */
const GRID_COLUMNS = 24;

const place = (unplaced: ReadonlyArray<UnplacedPanel>): Panel[] => {
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  return unplaced.map(({ size, ...panel }, index) => {
    if (x + size.w > GRID_COLUMNS) {
      x = 0;
      y += rowHeight;
      rowHeight = 0;
    }
    const gridPos = { x, y, w: size.w, h: size.h };
    x += size.w;
    rowHeight = Math.max(rowHeight, size.h);
    return { id: index + 1, gridPos, ...panel };
  });
};

/**
 * The Sluice Grafana dashboard, as Grafana's JSON model. `npm run dashboard` writes it to
 * deploy/grafana/dashboards/sluice.json, which Grafana provisions.
 *
 * @example
 * const dashboard = createSluiceDashboard();
 * dashboard.panels?.length; // 16
 */
export const createSluiceDashboard = (): Dashboard => ({
  id: null,
  uid: DASHBOARD_UID,
  title: 'Sluice',
  description: 'Batch task runner: throughput, grouping, commit and task latency, failures, and process health.',
  tags: ['sluice'],
  timezone: 'browser',
  editable: true,
  graphTooltip: DashboardCursorSync.Crosshair,
  refresh: '10s',
  time: { from: 'now-30m', to: 'now' },
  schemaVersion: 39,
  version: 1,
  links: [],
  annotations: { list: [] },
  templating: { list: [] },
  panels: place(panels()),
});
