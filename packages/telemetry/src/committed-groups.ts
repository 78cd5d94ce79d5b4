import { Counter, type Metric, type Registry } from 'prom-client';
import { FLUSH_TRIGGERS, METRIC } from './metric-names.js';

/** Group sizes: fine-grained near the default size of 100. */
export const GROUP_SIZE_BUCKETS: ReadonlyArray<number> = [1, 2, 5, 10, 20, 50, 75, 90, 99, 100, 150, 200, 500, 1000];

/** How many committed groups of one task type, released by one trigger, held `size` tasks. */
export interface CommittedGroupCount {
  readonly taskType: string;
  readonly trigger: string;
  readonly size: number;
  readonly groups: number;
}

export interface CommittedGroupOptions {
  /** Reads the counts from the store (`store.groupSizes()`); called once per scrape. */
  readonly read: () => Promise<ReadonlyArray<CommittedGroupCount>>;
  /** Task types shown at 0 before any of their groups committed. */
  readonly taskTypes: ReadonlyArray<string>;
  /** Told when a read fails; the scrape then shows the last values read. */
  readonly onError?: (error: unknown) => void;
}

/*
 * Why the api, from PostgreSQL: every committed group is a `batches` row, so the store holds the
 * group sizes and triggers of the whole fleet, workers that have restarted or gone included. Read
 * at scrape time by the api alone (as the queue gauge is read from BullMQ), they are counted once
 * however many workers run, and `curl api/metrics` shows the whole picture. A worker exposing the
 * same names would have every group counted twice.
 */

/**
 * A histogram whose buckets are set from counts rather than observed one value at a time: at
 * 100,000 committed groups, replaying each into prom-client's Histogram would cost a quarter of a
 * second of every scrape. prom-client's registry needs only these members to expose it.
 */
class CountedHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  private counts: ReadonlyMap<string, ReadonlyMap<number, number>> = new Map();

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly collect: () => Promise<void>,
  ) {}

  /** Per label value (task type), how many observations had each value (size). */
  set(counts: ReadonlyMap<string, ReadonlyMap<number, number>>): void {
    this.counts = counts;
  }

  async get() {
    await this.collect();
    const values: Array<{ metricName: string; labels: Record<string, string | number>; value: number }> = [];
    for (const [taskType, bySize] of this.counts) {
      let count = 0;
      let sum = 0;
      for (const [size, n] of bySize) {
        count += n;
        sum += size * n;
      }
      for (const le of GROUP_SIZE_BUCKETS) {
        let cumulative = 0;
        for (const [size, n] of bySize) if (size <= le) cumulative += n;
        values.push({ metricName: `${this.name}_bucket`, labels: { le, task_type: taskType }, value: cumulative });
      }
      values.push({ metricName: `${this.name}_bucket`, labels: { le: '+Inf', task_type: taskType }, value: count });
      values.push({ metricName: `${this.name}_sum`, labels: { task_type: taskType }, value: sum });
      values.push({ metricName: `${this.name}_count`, labels: { task_type: taskType }, value: count });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  reset(): void {
    this.counts = new Map();
  }
}

/**
 * Registers the group-size histogram (`sluice_group_size`) and the flushes-by-trigger counter
 * (`sluice_group_flushes_total`) of all committed groups, read from the store whenever the
 * registry is scraped. For the api only.
 *
 * @example
 * createCommittedGroupMetrics(registry, { read: () => store.groupSizes(), taskTypes: catalog.names });
 */
export const createCommittedGroupMetrics = (registry: Registry, options: CommittedGroupOptions): void => {
  let last: ReadonlyArray<CommittedGroupCount> = [];
  let reading: Promise<ReadonlyArray<CommittedGroupCount>> | undefined;
  /** Both metrics are collected in the same scrape: they share one query, and one snapshot. */
  const read = (): Promise<ReadonlyArray<CommittedGroupCount>> =>
    (reading ??= options
      .read()
      .then(
        (rows) => (last = rows),
        (error: unknown) => {
          // A scrape that failed whole would hide every other metric while PostgreSQL is down.
          options.onError?.(error);
          return last;
        },
      )
      .finally(() => {
        reading = undefined;
      }));

  new Counter({
    name: METRIC.groupFlushes,
    help: 'Committed groups by task type and what released them: size (full), timeout, pressure (the worker held its most jobs) or shutdown.',
    labelNames: ['task_type', 'trigger'] as const,
    registers: [registry],
    async collect() {
      const rows = await read();
      this.reset();
      for (const task_type of options.taskTypes) {
        for (const trigger of FLUSH_TRIGGERS) this.inc({ task_type, trigger }, 0);
      }
      for (const row of rows) this.inc({ task_type: row.taskType, trigger: row.trigger }, row.groups);
    },
  });

  const sizes: CountedHistogram = new CountedHistogram(
    METRIC.groupSize,
    'Tasks per committed group, retried and duplicate ones included.',
    async () => {
      const rows = await read();
      const counts = new Map<string, Map<number, number>>(options.taskTypes.map((t) => [t, new Map()]));
      for (const row of rows) {
        const bySize = counts.get(row.taskType) ?? new Map<number, number>();
        bySize.set(row.size, (bySize.get(row.size) ?? 0) + row.groups);
        counts.set(row.taskType, bySize);
      }
      sizes.set(counts);
    },
  );
  // prom-client's types name only its own classes; its registry reads name, help, type and get().
  registry.registerMetric(sizes as unknown as Metric);
};
