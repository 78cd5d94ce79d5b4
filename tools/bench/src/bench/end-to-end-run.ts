/**
 * End-to-end runs, as the throughput and bulk scenarios make them: one api on the scenario's
 * queue, then per repeat each consumer in turn. A run empties the queue, starts the consumer
 * (Sluice workers or a plain BullMQ worker), has the scenario's feed hand over every task
 * (through the api, or added to BullMQ by the bench itself), and waits for the queue to drain;
 * it is timed from the first submission to the last job finished, with the CPU of each process
 * (from /proc) and what Redis ran (`INFO commandstats`) over the run. Every figure counts tasks:
 * a job carries one, or a parcel of many.
 */
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { sql } from 'kysely';
import {
  type AppContext,
  type RunningApi,
  startApi,
  startBaselineWorker,
  startSluiceWorkers,
  bullmqConcurrencyOf,
} from './bench-apps.js';
import type { Consumer, ThroughputRun } from './bench-result.js';
import { runFiguresOf } from './consumer-figures.js';
import { startCpuMeter } from './cpu-meter.js';
import type { NodeChild } from './node-child.js';
import { lastFinishedAt, waitForDrain } from './queue-watch.js';
import { commandCostPerTask, parseCommandStats } from './redis-command-stats.js';
import { formatCommandCosts, formatCpuSplit } from './results-table.js';
import { checkAborted, type ScenarioContext } from './scenario-context.js';

interface EndToEndRunSpec {
  readonly apps: AppContext;
  /** The api the tasks go through, already started on the queue. */
  readonly api: RunningApi;
  /** The bench's handle on the queue, to watch it drain. */
  readonly queue: Queue;
  /** The bench's producer on the queue, for a feed `via: 'bench'`. */
  readonly producer: Queue;
  readonly consumer: Consumer;
  readonly repeat: number;
  readonly tasks: number;
  /** Names the run in the progress line and in errors. */
  readonly label: string;
  readonly feed: Feed;
}

/**
 * How a run's tasks reach the queue: through the api, whose CPU then counts per task, or added to
 * BullMQ by the bench itself with `producer` (a Queue on a Redis connection of its own, as the
 * api has), while the api stands idle and is left out (the bench's own CPU shows as `bench`).
 * Either resolves once every task is in the queue.
 */
export type Feed =
  | { readonly via: 'api'; readonly submit: (apiUrl: string) => Promise<void> }
  | { readonly via: 'bench'; readonly submit: (producer: Queue) => Promise<void> };

/**
 * Starts what drains the queue: one or two Sluice workers, or the baseline BullMQ worker with
 * Sluice's BullMQ concurrency, so that both hold as many jobs in flight.
 */
const startConsumer = async (
  apps: AppContext,
  context: ScenarioContext,
  queueName: string,
  consumer: Consumer,
): Promise<ReadonlyArray<NodeChild>> => {
  const { redis } = context.servers;
  switch (consumer) {
    case 'sluice-1':
    case 'sluice-2':
      return startSluiceWorkers(apps, redis, queueName, consumer === 'sluice-1' ? 1 : 2);
    case 'bullmq-noop':
    case 'bullmq-insert':
      return [
        await startBaselineWorker(
          apps,
          redis,
          queueName,
          consumer === 'bullmq-noop' ? 'noop' : 'insert',
          bullmqConcurrencyOf(apps.env),
        ),
      ];
  }
};

/**
 * Makes one run and stops its consumer. Throws when a job failed, or when a consumer that writes
 * rows did not leave exactly one per task.
 */
const runEndToEnd = async (context: ScenarioContext, spec: EndToEndRunSpec): Promise<ThroughputRun> => {
  const { servers, progress, signal } = context;
  const { consumer, tasks, label, feed } = spec;
  progress.update(`${label}: starting`);
  await servers.reset([spec.queue.name]);
  let consumers: ReadonlyArray<NodeChild> = [];
  try {
    consumers = await startConsumer(spec.apps, context, spec.queue.name, consumer);
    const meter = await startCpuMeter({
      worker: consumers.map((child) => child.pid),
      ...(feed.via === 'api' ? { api: [spec.api.child.pid] } : {}),
      ...(servers.redisPid === undefined ? {} : { redis: [servers.redisPid] }),
      ...(servers.postmasterPid === undefined ? {} : { postgres: [servers.postmasterPid] }),
    });
    const redisBefore = parseCommandStats(await servers.redis.info('commandstats'));
    const startedAt = Date.now();
    progress.update(`${label}: submitting ${tasks.toLocaleString('en-US')}`);
    await (feed.via === 'api' ? feed.submit(spec.api.url) : feed.submit(spec.producer));
    const submitSeconds = (Date.now() - startedAt) / 1000;
    const drained = await waitForDrain(servers.redis, spec.queue, {
      timeoutMs: 600_000,
      signal,
      onProgress: (pending) =>
        progress.update(
          `${label}: ${Math.max(0, tasks - pending).toLocaleString('en-US')} of ${tasks.toLocaleString('en-US')} finished`,
        ),
    });
    const window = await meter.stop();
    const redisCosts = commandCostPerTask(
      redisBefore,
      parseCommandStats(await servers.redis.info('commandstats')),
      tasks,
    );
    const finishedAt = await lastFinishedAt(servers.redis, spec.queue);
    if (drained.failed > 0) throw new Error(`${label}: ${drained.failed} jobs failed`);
    if (finishedAt === undefined) throw new Error(`${label}: no job finished`);
    if (consumer !== 'bullmq-noop') {
      // Nothing lost, nothing doubled: one row per task (the id is the primary key).
      const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM tasks`.execute(servers.db);
      if (rows[0]?.n !== tasks) throw new Error(`${label}: ${rows[0]?.n} rows for ${tasks} tasks`);
    }
    const seconds = (finishedAt - startedAt) / 1000;
    const run = runFiguresOf({ consumer, repeat: spec.repeat, tasks, seconds, submitSeconds, window, redisCosts });
    progress.note(
      `${label}: ${Math.round(run.tasksPerSecond).toLocaleString('en-US')} tasks/s (${seconds.toFixed(1)} s; submitted in ${submitSeconds.toFixed(1)} s; ` +
        `${Math.round(run.cpuMicrosPerTask)} µs CPU/task; ${formatCpuSplit(run.cpu)})\n  redis per task: ` +
        formatCommandCosts(redisCosts.slice(0, 4)),
    );
    return run;
  } finally {
    await Promise.all(consumers.map((child) => child.stop()));
  }
};

export interface EndToEndSeries {
  readonly apps: AppContext;
  /** The scenario's own queue. */
  readonly queueName: string;
  /** Begins each run's label: `end to end 2/3, sluice-1`. */
  readonly name: string;
  readonly tasks: number;
  readonly repeats: number;
  /** The consumers of a repeat, in the order they run. */
  readonly consumersOf: (repeat: number) => ReadonlyArray<Consumer>;
  /** How the tasks of a run of `consumer` reach the queue. */
  readonly feedOf: (consumer: Consumer) => Feed;
}

/**
 * Starts the api, makes every repeat's runs and stops the api. Throws on the first run that
 * fails, or when the bench is interrupted.
 *
 * @example
 * const runs = await runEndToEndSeries(context, {
 *   apps, queueName: 'bench-throughput', name: 'end to end', tasks, repeats: 3,
 *   consumersOf: () => ['sluice-1', 'bullmq-noop'],
 *   feedOf: () => ({ via: 'api', submit: (url) => submitGenerated(url, tasks, ['EMAIL'], 4) }),
 * });
 */
export const runEndToEndSeries = async (
  context: ScenarioContext,
  series: EndToEndSeries,
): Promise<ReadonlyArray<ThroughputRun>> => {
  const { servers, progress, signal } = context;
  await servers.reset([series.queueName]);
  const api = await startApi(series.apps, series.queueName);
  const queue = new Queue(series.queueName, { connection: servers.redis });
  const producerConnection = new Redis(servers.redisUrl, { maxRetriesPerRequest: null });
  const producer = new Queue(series.queueName, { connection: producerConnection });
  const runs: ThroughputRun[] = [];
  try {
    for (let repeat = 1; repeat <= series.repeats; repeat += 1) {
      for (const consumer of series.consumersOf(repeat)) {
        checkAborted(signal);
        runs.push(
          await runEndToEnd(context, {
            apps: series.apps,
            api,
            queue,
            producer,
            consumer,
            repeat,
            tasks: series.tasks,
            label: `${series.name} ${repeat}/${series.repeats}, ${consumer}`,
            feed: series.feedOf(consumer),
          }),
        );
      }
    }
  } finally {
    progress.done();
    await producer.close();
    producerConnection.disconnect();
    await queue.close();
    await api.child.stop();
  }
  return runs;
};
