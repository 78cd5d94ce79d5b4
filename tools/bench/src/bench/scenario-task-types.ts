/**
 * Scenario 6, task types (issue 14's hold budget): the same tasks through one Sluice worker,
 * all of one task type and spread over twenty, back to back in each repeat. With twenty types
 * the worker's held jobs (BATCH_SIZE × (BATCH_CONCURRENCY + 1)) cannot fill a group of each, so
 * groups leave under pressure, smaller than BATCH_SIZE; before the batcher knew pressure, no
 * group filled and every one waited out BATCH_TIMEOUT_MS.
 *
 * The api and the worker load the twenty types from a task module (`SLUICE_TASKS`, see
 * `bench-task-types.ts`), as they would a user's. Every task is queued before the worker may take
 * one (the queue is paused meanwhile), so the load is sustained by construction: a slow api on a
 * busy machine cannot leave the queue empty half-way and let groups time out for want of tasks.
 * Figures are taken from the committed rows from the resume to the last task taken from the
 * queue (`max(started_at)`). After it nothing more arrives, and each type's last, partial group
 * waits out its timeout: a run-out that any finite load has, counted apart in
 * `endToEndTasksPerSecond`.
 *
 * The tasks go through the api's generator, which since issue 15 enqueues them as parcels: the
 * types take turns, so a chunk of 1,000 makes parcels of 100 (BATCH_SIZE) with one type and of
 * 50 with twenty. Both variants are Sluice's, so the generator still serves; the worker weighs a
 * held job by the tasks it carries, so the hold budget is counted in tasks either way.
 */
import { fileURLToPath } from 'node:url';
import { Queue } from 'bullmq';
import { sql } from 'kysely';
import { startApi, startSluiceWorkers } from './bench-apps.js';
import type { FlushTrigger, TaskTypesResult, TaskTypesRun, TaskTypesVariant } from './bench-result.js';
import { BENCH_TASK_TYPE_COUNT, taskTypes } from './bench-task-types.js';
import { submitGenerated } from './http-load.js';
import type { NodeChild } from './node-child.js';
import { lastFinishedAt, waitForDrain } from './queue-watch.js';
import { appContextOf, checkAborted, type ScenarioContext } from './scenario-context.js';
import { ratio, spreadOf } from './statistics.js';

const QUEUE = 'bench-task-types';

/** Generator requests at once, as in the throughput scenario. */
const SUBMITTERS = 4;

const VARIANTS: ReadonlyArray<TaskTypesVariant> = ['one', 'many'];

interface WindowFigures {
  readonly sustainedTasks: number;
  readonly windowEnd: Date;
  readonly flushes: Record<FlushTrigger, number>;
  readonly timeoutsUnderLoad: number;
  readonly groupsUnderLoad: number;
}

/** The committed rows' account of one run: what happened up to the last task taken. */
const readWindow = async (context: ScenarioContext): Promise<WindowFigures> => {
  const { db } = context.servers;
  const { rows: ends } = await sql<{ window_end: Date }>`SELECT max(started_at) AS window_end FROM tasks`.execute(db);
  const windowEnd = ends[0]?.window_end;
  if (!(windowEnd instanceof Date)) throw new Error('no task has a started_at');
  const { rows: sustained } = await sql<{ n: number }>`
    SELECT count(*)::int AS n FROM tasks WHERE committed_at <= ${windowEnd}
  `.execute(db);
  const { rows: groups } = await sql<{ trigger: FlushTrigger; n: number; under_load: number }>`
    SELECT trigger, count(*)::int AS n, count(*) FILTER (WHERE flushed_at <= ${windowEnd})::int AS under_load
    FROM batches GROUP BY trigger
  `.execute(db);
  const flushes: Record<FlushTrigger, number> = { size: 0, timeout: 0, pressure: 0, shutdown: 0 };
  for (const row of groups) flushes[row.trigger] = row.n;
  return {
    sustainedTasks: sustained[0]?.n ?? 0,
    windowEnd,
    flushes,
    timeoutsUnderLoad: groups.find((row) => row.trigger === 'timeout')?.under_load ?? 0,
    groupsUnderLoad: groups.reduce((sum, row) => sum + row.under_load, 0),
  };
};

export const runTaskTypesScenario = async (context: ScenarioContext): Promise<TaskTypesResult> => {
  const { options, servers, progress, signal } = context;
  const module = fileURLToPath(new URL('./bench-task-types.js', import.meta.url));
  // No simulated provider call, as in the throughput scenario: the handler is not what is measured.
  const apps = appContextOf(context, { DEMO_WORK_MS: '0', SLUICE_TASKS: module });
  const names = taskTypes.map((type) => type.name);
  const tasks = options.throughputTasks;
  await servers.reset([QUEUE]);
  const api = await startApi(apps, QUEUE);
  const queue = new Queue(QUEUE, { connection: servers.redis });
  const runs: TaskTypesRun[] = [];
  try {
    for (let repeat = 1; repeat <= options.repeats; repeat += 1) {
      // Each goes first in every other repeat, so that neither always meets the other's leftovers
      // (PostgreSQL's checkpoint and vacuum after 100,000 rows, a warmer page cache).
      for (const variant of repeat % 2 === 1 ? VARIANTS : [...VARIANTS].reverse()) {
        checkAborted(signal);
        const types = variant === 'one' ? names.slice(0, 1) : names;
        const label = `task types ${repeat}/${options.repeats}, ${types.length} type${types.length === 1 ? '' : 's'}`;
        progress.update(`${label}: starting`);
        await servers.reset([QUEUE]);
        let workers: ReadonlyArray<NodeChild> = [];
        try {
          workers = await startSluiceWorkers(apps, servers.redis, QUEUE, 1);
          await queue.pause();
          progress.update(`${label}: queueing ${tasks.toLocaleString('en-US')}`);
          await submitGenerated(api.url, tasks, types, SUBMITTERS);
          const startedAt = Date.now();
          await queue.resume();
          const drained = await waitForDrain(servers.redis, queue, {
            timeoutMs: 600_000,
            signal,
            onProgress: (pending) =>
              progress.update(
                `${label}: ${(tasks - pending).toLocaleString('en-US')} of ${tasks.toLocaleString('en-US')} finished`,
              ),
          });
          const finishedAt = await lastFinishedAt(servers.redis, queue);
          if (drained.failed > 0) throw new Error(`${label}: ${drained.failed} jobs failed`);
          if (finishedAt === undefined) throw new Error(`${label}: no job finished`);
          const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM tasks`.execute(servers.db);
          if (rows[0]?.n !== tasks) throw new Error(`${label}: ${rows[0]?.n} rows for ${tasks} tasks`);
          const window = await readWindow(context);
          const windowSeconds = (window.windowEnd.getTime() - startedAt) / 1000;
          const run: TaskTypesRun = {
            variant,
            types: types.length,
            repeat,
            tasks,
            tasksPerSecond: window.sustainedTasks / windowSeconds,
            endToEndTasksPerSecond: tasks / ((finishedAt - startedAt) / 1000),
            groupsUnderLoad: window.groupsUnderLoad,
            meanGroupSize: tasks / Object.values(window.flushes).reduce((sum, n) => sum + n, 0),
            timeoutsUnderLoad: window.timeoutsUnderLoad,
            flushes: window.flushes,
          };
          runs.push(run);
          progress.note(
            `${label}: ${Math.round(run.tasksPerSecond).toLocaleString('en-US')} tasks/s under load ` +
              `(${Math.round(run.endToEndTasksPerSecond).toLocaleString('en-US')} with the run-out); groups: ` +
              `${(Object.entries(run.flushes) as ReadonlyArray<[FlushTrigger, number]>).map(([trigger, n]) => `${trigger} ${n}`).join(', ')}; ` +
              `${run.timeoutsUnderLoad} by timeout under load; ${run.meanGroupSize.toFixed(0)} tasks a group on average`,
          );
        } finally {
          await Promise.all(workers.map((worker) => worker.stop()));
        }
      }
    }
  } finally {
    progress.done();
    await queue.close();
    await api.child.stop();
  }

  const of = (variant: TaskTypesVariant) => runs.filter((run) => run.variant === variant);
  const perRepeat = Array.from({ length: options.repeats }, (_, index) => {
    const rateOf = (variant: TaskTypesVariant) =>
      runs.find((run) => run.variant === variant && run.repeat === index + 1)?.tasksPerSecond;
    return ratio(rateOf('many'), rateOf('one'));
  }).filter((value) => !Number.isNaN(value));
  return {
    tasks,
    types: BENCH_TASK_TYPE_COUNT,
    runs,
    oneTasksPerSecond: spreadOf(of('one').map((run) => run.tasksPerSecond)),
    manyTasksPerSecond: spreadOf(of('many').map((run) => run.tasksPerSecond)),
    manyVsOne: spreadOf(perRepeat),
    manyMeanGroupSize: spreadOf(of('many').map((run) => run.meanGroupSize)),
    timeoutsUnderLoad: runs.length === 0 ? Number.NaN : Math.max(...runs.map((run) => run.timeoutsUnderLoad)),
  };
};
