/**
 * Scenario 7, bulk (issue 15): `tasks` EMAIL tasks, 1,000 to a request and 4 requests in flight
 * at all times, as bulk clients send them. Committed end to end by one Sluice worker and, in the
 * same repeat, finished by the no-op BullMQ worker, the two back to back and each first in every
 * other repeat. Each timed from the first submission to the last job finished.
 *
 * The two are fed differently, on purpose. Sluice gets the tasks as its users send them: explicit
 * lists to `POST /api/tasks/batch`, which the api cuts into parcels (a job carrying up to a
 * type's batch size of tasks). The no-op worker stands for BullMQ's own per-job ceiling, so it
 * gets what a user of plain BullMQ would add: a job per task (`{ payload, submittedAt }`, Sluice's
 * job options), with `Queue.addBulk` of 1,000 jobs a call and 4 calls in flight, the same tasks,
 * added by the bench itself. Fed through the api it would get parcels too, and its processor
 * would "finish" a parcel's tasks as one job: no baseline at all. The api stands idle during the
 * no-op run and is left out of its CPU; the bench's adds show as `bench`.
 *
 * Issue 15's target is Sluice at twice the no-op worker's tasks/s. A parcel pays BullMQ's per-job
 * cost (two scripts, a lock, a hash) once for up to 100 tasks, which is where Sluice can pass the
 * per-job ceiling; the scenario reports the ratio per repeat, and the CPU each process spends per
 * task and what Redis runs per task, to say where the time goes on either side.
 *
 * The bodies and task lists are built before the first run and sent as they are in every run
 * (the api picks the task ids; BullMQ numbers the no-op's jobs), so the bench's own JSON work is
 * not timed. The count is a multiple of the group size with the defaults, so the one Sluice
 * worker ends on a full group.
 */
import { jobOptions } from '@sluice/tasks';
import { bullmqConcurrencyOf, retrySettingsOf } from './bench-apps.js';
import type { BulkResult, Consumer } from './bench-result.js';
import { addTaskLists } from './bullmq-load.js';
import { consumerFigures, ratioPerRepeat } from './consumer-figures.js';
import { type Feed, runEndToEndSeries } from './end-to-end-run.js';
import { submitBodies } from './http-load.js';
import { bulkBodyOf, bulkTaskLists } from './sample-tasks.js';
import { appContextOf, type ScenarioContext } from './scenario-context.js';

/** Tasks in each request (and in each `addBulk` call of the no-op's feed), as issue 15 names the load. */
const BULK_TASKS_PER_REQUEST = 1_000;

/** Requests (and `addBulk` calls) in flight at all times, as issue 15 names the load. */
const BULK_REQUESTS_IN_FLIGHT = 4;

const QUEUE = 'bench-bulk';

const CONSUMERS: ReadonlyArray<Consumer> = ['sluice-1', 'bullmq-noop'];

export const runBulkScenario = async (context: ScenarioContext): Promise<BulkResult> => {
  const { options } = context;
  // No simulated provider call, as in the throughput scenario: the handler is not what is measured.
  const apps = appContextOf(context, { DEMO_WORK_MS: '0' });
  const tasks = options.throughputTasks;
  const lists = bulkTaskLists(tasks, BULK_TASKS_PER_REQUEST, 'EMAIL');
  const bodies = lists.map(bulkBodyOf);
  const opts = jobOptions(retrySettingsOf(apps.env));
  const feedOf = (consumer: Consumer): Feed =>
    consumer === 'bullmq-noop'
      ? { via: 'bench', submit: (producer) => addTaskLists(producer, lists, BULK_REQUESTS_IN_FLIGHT, opts) }
      : { via: 'api', submit: (apiUrl) => submitBodies(apiUrl, bodies, BULK_REQUESTS_IN_FLIGHT) };
  const runs = await runEndToEndSeries(context, {
    apps,
    queueName: QUEUE,
    name: 'bulk',
    tasks,
    repeats: options.repeats,
    // Each goes first in every other repeat, so that neither always runs on what the other left
    // (PostgreSQL still writing out Sluice's rows, an api one run warmer).
    consumersOf: (repeat) => (repeat % 2 === 1 ? CONSUMERS : [...CONSUMERS].reverse()),
    feedOf,
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
