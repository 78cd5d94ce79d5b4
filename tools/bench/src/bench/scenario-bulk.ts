/**
 * Scenario 7, bulk (issue 15): `tasks` tasks sent as explicit lists of 1,000 to
 * `POST /api/tasks/batch`, 4 requests in flight at all times, as bulk clients send them.
 * Committed end to end by one Sluice worker and, in the same repeat, finished by the no-op BullMQ
 * worker, the two back to back and each first in every other repeat. Timed from the first
 * submission to the last job finished.
 *
 * Issue 15's target is Sluice at twice the no-op worker's tasks/s. While every task is a BullMQ
 * job of its own, Sluice pays all the no-op worker pays per job and then commits: it stays below
 * 1×, and this scenario measures that gap, with the CPU each process spends per task and what
 * Redis runs per task, where a job per task shows.
 *
 * The bodies are built before the first run and sent as they are in every run (the api picks
 * the task ids), so the bench's own JSON work is not timed. All tasks are EMAIL tasks, their
 * count a multiple of the group size with the defaults: the one worker ends on a full group.
 */
import { bullmqConcurrencyOf } from './bench-apps.js';
import type { BulkResult, Consumer } from './bench-result.js';
import { consumerFigures, ratioPerRepeat } from './consumer-figures.js';
import { runEndToEndSeries } from './end-to-end-run.js';
import { submitBodies } from './http-load.js';
import { bulkBodies } from './sample-tasks.js';
import { appContextOf, type ScenarioContext } from './scenario-context.js';

/** Tasks in each request, as issue 15 names the load. */
const BULK_TASKS_PER_REQUEST = 1_000;

/** Requests in flight at all times, as issue 15 names the load. */
const BULK_REQUESTS_IN_FLIGHT = 4;

const CONSUMERS: ReadonlyArray<Consumer> = ['sluice-1', 'bullmq-noop'];

export const runBulkScenario = async (context: ScenarioContext): Promise<BulkResult> => {
  const { options } = context;
  // No simulated provider call, as in the throughput scenario: the handler is not what is measured.
  const apps = appContextOf(context, { DEMO_WORK_MS: '0' });
  const tasks = options.throughputTasks;
  const bodies = bulkBodies(tasks, BULK_TASKS_PER_REQUEST, 'EMAIL');
  const runs = await runEndToEndSeries(context, {
    apps,
    queueName: 'bench-bulk',
    name: 'bulk',
    tasks,
    repeats: options.repeats,
    // Each goes first in every other repeat, so that neither always runs on what the other left
    // (PostgreSQL still writing out Sluice's rows, an api one run warmer).
    consumersOf: (repeat) => (repeat % 2 === 1 ? CONSUMERS : [...CONSUMERS].reverse()),
    submit: (apiUrl) => submitBodies(apiUrl, bodies, BULK_REQUESTS_IN_FLIGHT),
  });
  return {
    tasks,
    tasksPerRequest: BULK_TASKS_PER_REQUEST,
    requestsInFlight: BULK_REQUESTS_IN_FLIGHT,
    bullmqConcurrency: bullmqConcurrencyOf(apps.env),
    runs,
    ...consumerFigures(runs),
    sluiceVsNoop: ratioPerRepeat(runs, 'sluice-1', 'bullmq-noop'),
  };
};
