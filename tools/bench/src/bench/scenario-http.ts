/**
 * Scenario 4, HTTP submission: how fast the api takes tasks when nothing else runs (no worker
 * drains the queue). Single tasks over `POST /api/tasks` from `connections` keep-alive
 * connections, then 1,000-task bodies over `POST /api/tasks/batch`, each for a fixed time, by
 * autocannon in this process. The queue is emptied between loads.
 *
 * QUEUE_HIGH_WATER is lifted out of the way: this measures how fast the api takes tasks, not its
 * backpressure. With parcels the api takes 1,000-task bodies at about 100,000 tasks/s, so the
 * default mark of 1,000,000 would cap the bulk load at its tenth second, and the api's count of
 * what it admitted, reused for up to a second, would refuse the first requests of the next load.
 */
import autocannon from 'autocannon';
import { startApi } from './bench-apps.js';
import type { HttpResult, HttpRun } from './bench-result.js';
import { sampleTask } from './sample-tasks.js';
import { appContextOf, checkAborted, type ScenarioContext } from './scenario-context.js';
import { spreadOf } from './statistics.js';

const QUEUE = 'bench-http';
/** High enough that no load of this scenario reaches it (see the header). */
const HIGH_WATER = 1_000_000_000;
const BULK_TASKS = 1_000;
/** Enough bulk requests in flight to keep the api busy, few enough not to measure queueing. */
const BULK_CONNECTIONS = 4;
/** Lets the api's code get compiled before a load is measured. */
const WARM_UP_SECONDS = 2;

interface Load {
  readonly endpoint: HttpRun['endpoint'];
  readonly path: string;
  readonly body: string;
  readonly connections: number;
  readonly tasksPerRequest: number;
}

const fire = (url: string, load: Load, seconds: number): Promise<autocannon.Result> =>
  autocannon({
    url: `${url}${load.path}`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: load.body,
    connections: load.connections,
    duration: seconds,
  });

export const runHttpScenario = async (context: ScenarioContext): Promise<HttpResult> => {
  const { options, servers, progress, signal } = context;
  const apps = appContextOf(context, { QUEUE_HIGH_WATER: String(HIGH_WATER) });
  const loads: ReadonlyArray<Load> = [
    {
      endpoint: 'single',
      path: '/api/tasks',
      body: JSON.stringify(sampleTask(0)),
      connections: options.httpConnections,
      tasksPerRequest: 1,
    },
    {
      endpoint: 'bulk',
      path: '/api/tasks/batch',
      body: JSON.stringify({ tasks: Array.from({ length: BULK_TASKS }, (_, n) => sampleTask(n)) }),
      connections: BULK_CONNECTIONS,
      tasksPerRequest: BULK_TASKS,
    },
  ];
  await servers.reset([QUEUE]);
  const api = await startApi(apps, QUEUE);
  const runs: HttpRun[] = [];
  try {
    for (const load of loads) {
      progress.update(`HTTP ${load.endpoint}: warming up`);
      await fire(api.url, load, WARM_UP_SECONDS);
    }
    for (let repeat = 1; repeat <= options.repeats; repeat += 1) {
      for (const load of loads) {
        checkAborted(signal);
        await servers.reset([QUEUE]);
        const label = `HTTP ${repeat}/${options.repeats}, ${load.path}`;
        progress.update(`${label}: ${options.httpMs / 1000} s of load`);
        const result = await fire(api.url, load, options.httpMs / 1000);
        const requestsPerSecond = result['2xx'] / result.duration;
        const run: HttpRun = {
          endpoint: load.endpoint,
          repeat,
          requestsPerSecond,
          tasksPerSecond: requestsPerSecond * load.tasksPerRequest,
          latencyP50Ms: result.latency.p50,
          latencyP99Ms: result.latency.p99,
          errors: result.non2xx + result.errors,
        };
        runs.push(run);
        progress.note(
          `${label}: ${Math.round(run.requestsPerSecond).toLocaleString('en-US')} req/s, ` +
            `${Math.round(run.tasksPerSecond).toLocaleString('en-US')} tasks/s, p99 ${run.latencyP99Ms} ms` +
            (run.errors > 0 ? `, ${run.errors} errors` : ''),
        );
      }
    }
  } finally {
    progress.done();
    await api.child.stop();
  }
  const of = (endpoint: HttpRun['endpoint']) => runs.filter((run) => run.endpoint === endpoint);
  return {
    seconds: options.httpMs / 1000,
    singleConnections: options.httpConnections,
    bulkConnections: BULK_CONNECTIONS,
    bulkTasksPerRequest: BULK_TASKS,
    runs,
    singleRequestsPerSecond: spreadOf(of('single').map((run) => run.requestsPerSecond)),
    bulkTasksPerSecond: spreadOf(of('bulk').map((run) => run.tasksPerSecond)),
    errors: runs.reduce((sum, run) => sum + run.errors, 0),
  };
};
