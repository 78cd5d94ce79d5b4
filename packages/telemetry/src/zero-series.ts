import type { Metrics } from './metrics.js';
import { TASK_OUTCOMES } from './metric-names.js';

/*
 * prom-client exposes a labelled counter only once it has been incremented, so a failure or a
 * duplicate that never happened would be a missing series, and `rate(...)` over it "No data"
 * instead of 0 per second. Creating the label sets we know up front at 0 lets a dashboard tell
 * "none happened" from "nobody reports this".
 */

/**
 * Starts the api's per-type counters at 0 for every known task type.
 *
 * @example
 * zeroApiSeries(metrics, catalog.names); // sluice_tasks_submitted_total{task_type="EMAIL"} 0
 */
export const zeroApiSeries = (metrics: Pick<Metrics, 'tasksSubmitted'>, taskTypes: ReadonlyArray<string>): void => {
  for (const task_type of taskTypes) metrics.tasksSubmitted.inc({ task_type }, 0);
};

/**
 * Starts a worker's counters at 0 for every known task type: each outcome, and duplicates skipped.
 *
 * @example
 * zeroWorkerSeries(metrics, catalog.names); // sluice_tasks_finished_total{task_type="SMS",outcome="failed"} 0
 */
export const zeroWorkerSeries = (
  metrics: Pick<Metrics, 'tasksFinished' | 'duplicatesSkipped'>,
  taskTypes: ReadonlyArray<string>,
): void => {
  for (const task_type of taskTypes) {
    for (const outcome of TASK_OUTCOMES) metrics.tasksFinished.inc({ task_type, outcome }, 0);
    metrics.duplicatesSkipped.inc({ task_type }, 0);
  }
};
