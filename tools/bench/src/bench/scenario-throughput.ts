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
import { bullmqConcurrencyOf } from './bench-apps.js';
import type { ThroughputResult } from './bench-result.js';
import { consumerFigures, ratioPerRepeat } from './consumer-figures.js';
import { runEndToEndSeries } from './end-to-end-run.js';
import { submitGenerated } from './http-load.js';
import { appContextOf, type ScenarioContext } from './scenario-context.js';

/**
 * Generator requests sent at once. With one, the api enqueues a chunk, waits for Redis, then
 * makes the next, and submission rather than the consumer sets the pace; four keep Redis busy.
 */
const SUBMITTERS = 4;

export const runThroughputScenario = async (context: ScenarioContext): Promise<ThroughputResult> => {
  const { options } = context;
  // No simulated provider call: the handler's own time is not what this scenario measures.
  const apps = appContextOf(context, { DEMO_WORK_MS: '0' });
  const tasks = options.throughputTasks;
  const runs = await runEndToEndSeries(context, {
    apps,
    queueName: 'bench-throughput',
    name: 'end to end',
    tasks,
    repeats: options.repeats,
    consumersOf: () => options.consumers,
    feedOf: () => ({ via: 'api', submit: (apiUrl) => submitGenerated(apiUrl, tasks, ['EMAIL'], SUBMITTERS) }),
  });
  return {
    tasks,
    bullmqConcurrency: bullmqConcurrencyOf(apps.env),
    runs,
    ...consumerFigures(runs),
    sluiceVsNoop: ratioPerRepeat(runs, 'sluice-1', 'bullmq-noop'),
    sluiceVsPerJob: ratioPerRepeat(runs, 'sluice-1', 'bullmq-insert'),
  };
};
