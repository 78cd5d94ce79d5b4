/**
 * Scenario 5, memory: the peak resident set of the api while it takes `n` tasks in one
 * `POST /api/tasks/batch { count: n }` (enqueued by the api a chunk at a time), and of each of
 * two workers while they drain those `n` tasks, all queued before the workers start. Every run
 * starts fresh processes, so each peak (the kernel's `VmHWM`) belongs to that run alone.
 *
 * Since issue 15 the api enqueues the generator's tasks as parcels (each chunk's tasks of a type
 * in jobs of up to its batch size, 100), not a job each, so both peaks are of parcels. Only
 * Sluice drains here, so the generator still serves: nothing is compared with a consumer that
 * counts jobs.
 */
import { Queue } from 'bullmq';
import { sql } from 'kysely';
import { startApi, startSluiceWorkers } from './bench-apps.js';
import type { MemoryLevel, MemoryResult, MemoryRun } from './bench-result.js';
import { submitGenerated } from './http-load.js';
import type { NodeChild } from './node-child.js';
import { waitForDrain } from './queue-watch.js';
import { DEMO_TASK_TYPES } from './sample-tasks.js';
import { appContextOf, checkAborted, type ScenarioContext } from './scenario-context.js';
import { spreadOf } from './statistics.js';

const QUEUE = 'bench-memory';
const WORKERS = 2;

export const runMemoryScenario = async (context: ScenarioContext): Promise<MemoryResult> => {
  const { options, servers, progress, signal } = context;
  const apps = appContextOf(context, { DEMO_WORK_MS: '0' });
  const queue = new Queue(QUEUE, { connection: servers.redis });
  const runs: MemoryRun[] = [];
  try {
    for (let repeat = 1; repeat <= options.repeats; repeat += 1) {
      for (const tasks of options.memoryTasks) {
        checkAborted(signal);
        const label = `memory ${repeat}/${options.repeats}, ${tasks.toLocaleString('en-US')} tasks`;
        await servers.reset([QUEUE]);
        const started: NodeChild[] = [];
        try {
          const api = await startApi(apps, QUEUE);
          started.push(api.child);
          progress.update(`${label}: submitting`);
          const submitStarted = Date.now();
          await submitGenerated(api.url, tasks, DEMO_TASK_TYPES);
          const submitSeconds = (Date.now() - submitStarted) / 1000;
          progress.update(`${label}: ${tasks.toLocaleString('en-US')} queued, draining`);
          const drainStarted = Date.now();
          const workers = await startSluiceWorkers(apps, servers.redis, QUEUE, WORKERS);
          started.push(...workers);
          const drained = await waitForDrain(servers.redis, queue, {
            timeoutMs: 600_000,
            signal,
            onProgress: (pending) => progress.update(`${label}: ${pending.toLocaleString('en-US')} still queued`),
          });
          const drainSeconds = (Date.now() - drainStarted) / 1000;
          if (drained.failed > 0) throw new Error(`${label}: ${drained.failed} jobs failed`);
          const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM tasks`.execute(servers.db);
          if (rows[0]?.n !== tasks) throw new Error(`${label}: ${rows[0]?.n} rows for ${tasks} tasks`);
          const apiPeakMb = await api.child.peakRssMb();
          const workerPeaksMb = await Promise.all(workers.map((worker) => worker.peakRssMb()));
          if (apiPeakMb === undefined || workerPeaksMb.some((peak) => peak === undefined)) {
            throw new Error(`${label}: a process exited before its peak memory was read`);
          }
          const run: MemoryRun = {
            tasks,
            repeat,
            apiPeakMb,
            workerPeaksMb: workerPeaksMb.map((peak) => peak ?? Number.NaN),
            submitSeconds,
            drainSeconds,
          };
          runs.push(run);
          progress.note(
            `${label}: api peak ${apiPeakMb.toFixed(0)} MB, workers ${run.workerPeaksMb.map((peak) => peak.toFixed(0)).join(' / ')} MB ` +
              `(submitted in ${submitSeconds.toFixed(1)} s, drained in ${drainSeconds.toFixed(1)} s)`,
          );
        } finally {
          await Promise.all(started.map((child) => child.stop()));
        }
      }
    }
  } finally {
    progress.done();
    await queue.close();
  }
  const levels = options.memoryTasks.map((tasks): MemoryLevel => {
    const at = runs.filter((run) => run.tasks === tasks);
    return {
      tasks,
      apiPeakMb: spreadOf(at.map((run) => run.apiPeakMb)),
      workerPeakMb: spreadOf(at.map((run) => Math.max(...run.workerPeaksMb))),
    };
  });
  return { workers: WORKERS, runs, levels };
};
