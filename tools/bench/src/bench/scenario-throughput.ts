/**
 * Scenario 2, end to end: `tasks` tasks submitted through `POST /api/tasks/batch` and drained,
 * timed from the first submission to the last job finished. Four consumers of the same queue,
 * fed by the same api, against the same Redis and PostgreSQL: Sluice with one worker and with
 * two, and a plain BullMQ worker that does nothing (the queue's ceiling) or one INSERT per job
 * (what most users write). In each repeat every consumer runs once, back to back, so the ratios
 * compare runs made under the same conditions.
 *
 * The tasks go in as four generator requests at once (`{ count, taskTypes }`, enqueued by the api
 * 1,000 at a time), fast enough that the consumer, not the submission, sets the pace.
 *
 * All tasks are EMAIL tasks and their count a multiple of the group size, so one Sluice worker
 * ends on a full group; with two, each worker's last group is partial and waits out
 * BATCH_TIMEOUT_MS, which the figure includes.
 */
import { Queue } from 'bullmq';
import { sql } from 'kysely';
import { startApi, startBaselineWorker, startSluiceWorkers, bullmqConcurrencyOf } from './bench-apps.js';
import {
  CONSUMERS,
  PROCESS_KINDS,
  type Consumer,
  type CpuSplit,
  type ProcessKind,
  type ThroughputResult,
  type ThroughputRun,
} from './bench-result.js';
import { startCpuMeter } from './cpu-meter.js';
import { submitGenerated } from './http-load.js';
import type { NodeChild } from './node-child.js';
import { lastFinishedAt, waitForDrain } from './queue-watch.js';
import { commandCostPerTask, parseCommandStats } from './redis-command-stats.js';
import { formatCpuSplit } from './results-table.js';
import { appContextOf, checkAborted, type ScenarioContext } from './scenario-context.js';
import { median, ratio, spreadOf } from './statistics.js';

const QUEUE = 'bench-throughput';

/**
 * Generator requests sent at once. With one, the api enqueues a chunk, waits for Redis, then
 * makes the next, and submission rather than the consumer sets the pace; four keep Redis busy.
 */
const SUBMITTERS = 4;

/** The processes whose CPU a task costs; the bench and foreign load are left out. */
const WORKING: ReadonlyArray<ProcessKind> = ['worker', 'api', 'redis', 'postgres'];

/** Median cores per process kind over the runs of one consumer. */
const medianCpu = (runs: ReadonlyArray<ThroughputRun>): CpuSplit => {
  const split: Partial<Record<ProcessKind, number>> = {};
  for (const kind of PROCESS_KINDS) {
    const values = runs.flatMap((run) => (run.cpu[kind] === undefined ? [] : [run.cpu[kind]]));
    if (values.length > 0) split[kind] = median(values);
  }
  return split;
};

export const runThroughputScenario = async (context: ScenarioContext): Promise<ThroughputResult> => {
  const { options, servers, progress, signal } = context;
  // No simulated provider call: the handler's own time is not what this scenario measures.
  const apps = appContextOf(context, { DEMO_WORK_MS: '0' });
  const concurrency = bullmqConcurrencyOf(apps.env);
  const tasks = options.throughputTasks;
  await servers.reset([QUEUE]);
  const api = await startApi(apps, QUEUE);
  const queue = new Queue(QUEUE, { connection: servers.redis });
  const runs: ThroughputRun[] = [];
  try {
    for (let repeat = 1; repeat <= options.repeats; repeat += 1) {
      for (const consumer of options.consumers) {
        checkAborted(signal);
        const label = `end to end ${repeat}/${options.repeats}, ${consumer}`;
        progress.update(`${label}: starting`);
        await servers.reset([QUEUE]);
        let consumers: ReadonlyArray<NodeChild> = [];
        try {
          consumers =
            consumer === 'sluice-1' || consumer === 'sluice-2'
              ? await startSluiceWorkers(apps, servers.redis, QUEUE, consumer === 'sluice-1' ? 1 : 2)
              : [
                  await startBaselineWorker(
                    apps,
                    servers.redis,
                    QUEUE,
                    consumer === 'bullmq-noop' ? 'noop' : 'insert',
                    concurrency,
                  ),
                ];
          const meter = await startCpuMeter({
            worker: consumers.map((child) => child.pid),
            api: [api.child.pid],
            ...(servers.redisPid === undefined ? {} : { redis: [servers.redisPid] }),
            ...(servers.postmasterPid === undefined ? {} : { postgres: [servers.postmasterPid] }),
          });
          const redisBefore = parseCommandStats(await servers.redis.info('commandstats'));
          const startedAt = Date.now();
          progress.update(`${label}: submitting ${tasks.toLocaleString('en-US')}`);
          await submitGenerated(api.url, tasks, ['EMAIL'], SUBMITTERS);
          const submitSeconds = (Date.now() - startedAt) / 1000;
          const drained = await waitForDrain(queue, {
            timeoutMs: 600_000,
            signal,
            onProgress: (pending) =>
              progress.update(
                `${label}: ${(tasks - pending).toLocaleString('en-US')} of ${tasks.toLocaleString('en-US')} finished`,
              ),
          });
          const { cores: cpu, wallSeconds } = await meter.stop();
          const redisPerTask = commandCostPerTask(
            redisBefore,
            parseCommandStats(await servers.redis.info('commandstats')),
            tasks,
          ).slice(0, 8);
          const finishedAt = await lastFinishedAt(servers.redis, queue);
          if (drained.failed > 0) throw new Error(`${label}: ${drained.failed} jobs failed`);
          if (finishedAt === undefined) throw new Error(`${label}: no job finished`);
          if (consumer !== 'bullmq-noop') {
            // Nothing lost, nothing doubled: one row per task (the id is the primary key).
            const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM tasks`.execute(servers.db);
            if (rows[0]?.n !== tasks) throw new Error(`${label}: ${rows[0]?.n} rows for ${tasks} tasks`);
          }
          const seconds = (finishedAt - startedAt) / 1000;
          const cpuMicrosPerTask =
            (WORKING.reduce((sum, kind) => sum + (cpu[kind] ?? 0), 0) * wallSeconds * 1e6) / tasks;
          runs.push({
            consumer,
            repeat,
            tasks,
            seconds,
            tasksPerSecond: tasks / seconds,
            submitSeconds,
            cpu,
            cpuMicrosPerTask,
            redisPerTask,
          });
          progress.note(
            `${label}: ${Math.round(tasks / seconds).toLocaleString('en-US')} tasks/s (${seconds.toFixed(1)} s; submitted in ${submitSeconds.toFixed(1)} s; ` +
              `${Math.round(cpuMicrosPerTask)} µs CPU/task; ${formatCpuSplit(cpu)})\n  redis per task: ` +
              redisPerTask
                .slice(0, 4)
                .map(
                  (cost) => `${cost.command} ${cost.callsPerTask.toFixed(2)} calls ${cost.usecPerTask.toFixed(0)} µs`,
                )
                .join(' · '),
          );
        } finally {
          await Promise.all(consumers.map((child) => child.stop()));
        }
      }
    }
  } finally {
    progress.done();
    await queue.close();
    await api.child.stop();
  }

  const of = (consumer: Consumer): ReadonlyArray<ThroughputRun> => runs.filter((run) => run.consumer === consumer);
  const perRepeatRatio = (other: Consumer): ReadonlyArray<number> =>
    Array.from({ length: options.repeats }, (_, index) => {
      const rateOf = (consumer: Consumer) =>
        runs.find((run) => run.consumer === consumer && run.repeat === index + 1)?.tasksPerSecond;
      return ratio(rateOf('sluice-1'), rateOf(other));
    }).filter((value) => !Number.isNaN(value));
  const present = CONSUMERS.filter((consumer) => of(consumer).length > 0);
  return {
    tasks,
    bullmqConcurrency: concurrency,
    runs,
    tasksPerSecond: Object.fromEntries(
      present.map((consumer) => [consumer, spreadOf(of(consumer).map((run) => run.tasksPerSecond))]),
    ),
    cpu: Object.fromEntries(present.map((consumer) => [consumer, medianCpu(of(consumer))])),
    cpuMicrosPerTask: Object.fromEntries(
      present.map((consumer) => [consumer, spreadOf(of(consumer).map((run) => run.cpuMicrosPerTask))]),
    ),
    sluiceVsNoop: spreadOf(perRepeatRatio('bullmq-noop')),
    sluiceVsPerJob: spreadOf(perRepeatRatio('bullmq-insert')),
  };
};
