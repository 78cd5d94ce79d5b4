/**
 * Reads one sample of the running stack: each process's RSS (/proc) and heap and event-loop lag
 * (its Prometheus endpoint), Redis's used_memory, the tables' size and partitions, the queue,
 * and the p95 latency of the tasks committed since the previous sample. A reading that fails
 * (a process down, an endpoint slow) is left undefined rather than stopping the run; the
 * judging counts the readings it got.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sql } from 'kysely';
import { METRIC, PROCESS_METRIC } from '@sluice/telemetry';
import { statusMb } from '../bench/proc-stats.js';
import type { ChaosStack } from '../chaos/chaos-stack.js';
import type { NodeService } from '../chaos/node-service.js';
import { depthOf, type SystemProbe } from '../chaos/system-probe.js';
import {
  addBuckets,
  type Buckets,
  bucketsIncrease,
  bucketsOf,
  observationsOf,
  quantileOfBuckets,
} from './histogram-quantile.js';
import { observePartitions, type PartitionHistory, partitionChanges } from './partition-tracker.js';
import { type PromSample, parsePrometheusText, sampleValue } from './prometheus-text.js';
import type { ProcessReading, SoakSample, TableReading } from './soak-sample.js';
import { metricsPortOf } from './worker-metrics-port.js';

/**
 * The series read from the services' /metrics: prom-client's default metrics and the task
 * latency histogram, by the names the services export them under. A series missing after the
 * warm-up fails the run.
 */
export const SERIES = Object.freeze({
  heapUsedBytes: PROCESS_METRIC.heapUsedBytes,
  eventLoopLagP99Seconds: PROCESS_METRIC.eventLoopLagP99Seconds,
  taskLatencySeconds: METRIC.taskLatencySeconds,
});

const MB = 1_048_576;
const SCRAPE_TIMEOUT_MS = 5_000;

export interface StackSampler {
  /** Reads the stack at `atMs` (ms since the load began), with `accepted` tasks accepted so far. */
  sample(atMs: number, accepted: number): Promise<SoakSample>;
}

const scrape = async (url: string): Promise<ReadonlyArray<PromSample> | undefined> => {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(SCRAPE_TIMEOUT_MS) });
    return response.ok ? parsePrometheusText(await response.text()) : undefined;
  } catch {
    return undefined;
  }
};

const rssMbOf = async (pid: number | undefined): Promise<number | undefined> =>
  pid === undefined
    ? undefined
    : readFile(`/proc/${pid}/status`, 'utf8').then(
        (text) => statusMb(text, 'VmRSS'),
        () => undefined,
      );

const redisMbOf = async (probe: SystemProbe): Promise<number | undefined> => {
  try {
    const match = /^used_memory:(\d+)\r?$/m.exec(await probe.redis.info('memory'));
    return match?.[1] === undefined ? undefined : Number(match[1]) / MB;
  } catch {
    return undefined;
  }
};

/**
 * `pg_partition_tree` lists a plain table as itself and a partitioned one as itself and every
 * partition, so one query sizes both; `pg_inherits` lists only the partitions.
 */
const readTable = async (
  probe: SystemProbe,
  table: 'tasks' | 'batches',
): Promise<
  { readonly tableMb: number; readonly indexMb: number; readonly names: ReadonlyArray<string> } | undefined
> => {
  try {
    const [sizes, partitions] = await Promise.all([
      sql<{ table_bytes: string; index_bytes: string }>`
        select coalesce(sum(pg_table_size(relid)), 0)::text as table_bytes,
               coalesce(sum(pg_indexes_size(relid)), 0)::text as index_bytes
        from pg_partition_tree(${table}::regclass)`.execute(probe.db),
      sql<{ name: string }>`
        select c.relname as name from pg_inherits i join pg_class c on c.oid = i.inhrelid
        where i.inhparent = ${table}::regclass`.execute(probe.db),
    ]);
    const row = sizes.rows[0];
    return {
      tableMb: Number(row?.table_bytes ?? 0) / MB,
      indexMb: Number(row?.index_bytes ?? 0) / MB,
      names: partitions.rows.map((partition) => partition.name),
    };
  } catch {
    return undefined;
  }
};

/**
 * Creates the sampler for a started stack; `logDir` holds the stack's logs, where each worker
 * says which port its metrics server took.
 *
 * @example
 * const sampler = createStackSampler({ stack, probe, logDir });
 * const sample = await sampler.sample(10_000, load.accepted());
 */
export const createStackSampler = (deps: {
  readonly stack: ChaosStack;
  readonly probe: SystemProbe;
  readonly logDir: string;
}): StackSampler => {
  const { stack, probe } = deps;
  /** Per worker: the generation its port was read for, and the port. */
  const ports = new Map<string, { readonly generation: number; readonly port: number }>();
  /** Per worker: the generation and latency buckets at the previous sample. */
  const previous = new Map<string, { readonly generation: number; readonly buckets: Buckets }>();
  const partitions: Record<'tasks' | 'batches', PartitionHistory | undefined> = {
    tasks: undefined,
    batches: undefined,
  };

  const metricsUrlOf = async (worker: NodeService): Promise<string | undefined> => {
    const known = ports.get(worker.name);
    if (known !== undefined && known.generation === worker.generation())
      return `http://127.0.0.1:${known.port}/metrics`;
    // The stack names each service's log after it (chaos-stack: `<name>.log` in logDir).
    const log = await readFile(join(deps.logDir, `${worker.name}.log`), 'utf8').catch(() => '');
    const port = metricsPortOf(log);
    if (port === undefined) return undefined;
    ports.set(worker.name, { generation: worker.generation(), port });
    return `http://127.0.0.1:${port}/metrics`;
  };

  const readProcess = async (
    service: NodeService,
    url: string | undefined,
  ): Promise<{ readonly reading: ProcessReading; readonly scraped: ReadonlyArray<PromSample> | undefined }> => {
    const [rssMb, scraped] = await Promise.all([rssMbOf(service.pid()), url === undefined ? undefined : scrape(url)]);
    const heap = scraped && sampleValue(scraped, SERIES.heapUsedBytes);
    const lag = scraped && sampleValue(scraped, SERIES.eventLoopLagP99Seconds);
    return {
      reading: {
        name: service.name,
        rssMb,
        heapMb: heap === undefined ? undefined : heap / MB,
        lagMs: lag === undefined ? undefined : lag * 1000,
      },
      scraped,
    };
  };

  const tableReading = (
    table: 'tasks' | 'batches',
    read: Awaited<ReturnType<typeof readTable>>,
  ): TableReading | undefined => {
    if (read === undefined) return undefined;
    partitions[table] = observePartitions(partitions[table], read.names);
    const changes = partitionChanges(partitions[table]);
    return {
      tableMb: read.tableMb,
      indexMb: read.indexMb,
      partitions: changes.count,
      created: changes.created,
      dropped: changes.dropped,
    };
  };

  return {
    sample: async (atMs, accepted) => {
      const workerUrls = await Promise.all(stack.workers.map(metricsUrlOf));
      const [api, workers, redisMb, tasks, batches, counts] = await Promise.all([
        readProcess(stack.api, `${stack.apiUrl}/metrics`),
        Promise.all(stack.workers.map((worker, index) => readProcess(worker, workerUrls[index]))),
        redisMbOf(probe),
        readTable(probe, 'tasks'),
        readTable(probe, 'batches'),
        probe.queueCounts(),
      ]);

      const increases: Buckets[] = [];
      stack.workers.forEach((worker, index) => {
        const scraped = workers[index]?.scraped;
        if (scraped === undefined) return;
        const buckets = bucketsOf(scraped, SERIES.taskLatencySeconds);
        const before = previous.get(worker.name);
        // A worker started again counts from zero: its first scrape is all new.
        increases.push(
          bucketsIncrease(before?.generation === worker.generation() ? before.buckets : undefined, buckets),
        );
        previous.set(worker.name, { generation: worker.generation(), buckets });
      });
      const window = addBuckets(increases);
      const p95 = quantileOfBuckets(window, 0.95);

      const processes = [api.reading, ...workers.map((worker) => worker.reading)];
      const lags = processes.flatMap((process) => (process.lagMs === undefined ? [] : [process.lagMs]));
      return {
        atMs,
        accepted,
        queued: counts === undefined ? undefined : depthOf(counts),
        processes,
        redisMb,
        tasks: tableReading('tasks', tasks),
        batches: tableReading('batches', batches),
        lagMs: lags.length === 0 ? undefined : Math.max(...lags),
        latencyP95Ms: p95 === undefined ? undefined : p95 * 1000,
        committed: observationsOf(window),
      };
    },
  };
};
