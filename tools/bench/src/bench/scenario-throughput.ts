/**
 * Scenario 2, end to end: `tasks` tasks handed over and drained, timed from the first submission
 * to the last job finished. Four consumers of the same queue, against the same Redis and
 * PostgreSQL: Sluice with one worker and with two, and a plain BullMQ worker that does nothing
 * (the queue's per-job ceiling) or one INSERT per job (what most users write). In each repeat
 * every consumer runs once, back to back, so the ratios compare runs made under the same
 * conditions.
 *
 * Sluice gets its tasks through the api: four generator requests at once (`{ count, taskTypes }`),
 * fast enough that the consumer, not the submission, sets the pace. The api enqueues them 1,000
 * at a time, and since issue 15 cuts each 1,000 into parcels (a job carrying up to a type's batch
 * size of tasks). The plain BullMQ workers cannot go that way any more: the INSERT worker writes a
 * row per job and would leave one row for 100 tasks, and the no-op would "finish" 100 tasks a job,
 * no baseline at all. So the bench adds their tasks itself, as a user of plain BullMQ would and as
 * the api did before parcels: the same tasks the generator makes (the demo catalog's
 * `sample(n)`, see `generatedTaskLists`), a job per task with a task id as its job id (the INSERT
 * worker keys its row by it), `{ payload, submittedAt }` and Sluice's job options, in `addBulk`
 * calls of 1,000, four in flight, from a connection of its own. The api stands idle then and is
 * left out of their CPU; the bench's adds show as `bench`. The lists are built before the runs,
 * so the bench's work on them is not timed (the api's generator work is, for Sluice).
 *
 * All tasks are EMAIL tasks and their count a multiple of the group size, so one Sluice worker
 * ends on a full group; with two, each worker's last group is partial and waits out
 * BATCH_TIMEOUT_MS, which the figure includes.
 */
import { jobOptions } from '@sluice/tasks';
import { bullmqConcurrencyOf, retrySettingsOf } from './bench-apps.js';
import { isPlainBullmq, type ThroughputResult } from './bench-result.js';
import { addTaskLists } from './bullmq-load.js';
import { consumerFigures, ratioPerRepeat } from './consumer-figures.js';
import { type Feed, runEndToEndSeries } from './end-to-end-run.js';
import { submitGenerated } from './http-load.js';
import { GENERATOR_CHUNK, generatedTaskLists } from './sample-tasks.js';
import { appContextOf, type ScenarioContext } from './scenario-context.js';

/**
 * Generator requests sent at once (and `addBulk` calls in flight for the plain BullMQ workers).
 * With one, the api enqueues a chunk, waits for Redis, then makes the next, and submission rather
 * than the consumer sets the pace; four keep Redis busy.
 */
const SUBMITTERS = 4;

const TASK_TYPES = ['EMAIL'] as const;

export const runThroughputScenario = async (context: ScenarioContext): Promise<ThroughputResult> => {
  const { options } = context;
  // No simulated provider call: the handler's own time is not what this scenario measures.
  const apps = appContextOf(context, { DEMO_WORK_MS: '0' });
  const tasks = options.throughputTasks;
  const lists = generatedTaskLists(tasks, TASK_TYPES, SUBMITTERS);
  const opts = jobOptions(retrySettingsOf(apps.env));
  const runs = await runEndToEndSeries(context, {
    apps,
    queueName: 'bench-throughput',
    name: 'end to end',
    tasks,
    repeats: options.repeats,
    consumersOf: () => options.consumers,
    feedOf: (consumer): Feed =>
      isPlainBullmq(consumer)
        ? { via: 'bench', submit: (producer) => addTaskLists(producer, lists, SUBMITTERS, opts, 'task') }
        : { via: 'api', submit: (apiUrl) => submitGenerated(apiUrl, tasks, TASK_TYPES, SUBMITTERS) },
  });
  return {
    tasks,
    requestsInFlight: SUBMITTERS,
    tasksPerAdd: GENERATOR_CHUNK,
    bullmqConcurrency: bullmqConcurrencyOf(apps.env),
    runs,
    ...consumerFigures(runs),
    sluiceVsNoop: ratioPerRepeat(runs, 'sluice-1', 'bullmq-noop'),
    sluiceVsPerJob: ratioPerRepeat(runs, 'sluice-1', 'bullmq-insert'),
  };
};
