/**
 * The soak's load: `POST /api/tasks/batch` requests of `perRequest` tasks at a steady `rate`,
 * each sent as soon as its tasks are due, so 2,000 tasks/s in requests of 100 is one request
 * every 50 ms rather than a burst each second. The first task id of each accepted request goes
 * into the run's sample, for the retained-task check at the end.
 *
 * Every answer other than 202 for all of a request's tasks, and every request without an
 * answer, is a failure: a soak has no faults, so nothing is sent again.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { sampleTask } from '../bench/sample-tasks.js';
import { dueTasks } from '../chaos/pacing.js';
import type { LoadSummary } from './judge-soak.js';
import type { TaskSample } from './task-sample.js';

export interface BulkLoadOptions {
  /** e.g. `http://127.0.0.1:41234`. */
  readonly apiUrl: string;
  /** Tasks per second. */
  readonly rate: number;
  readonly perRequest: number;
  /** How long the load lasts, ms. */
  readonly durationMs: number;
  /** Requests in flight at most; beyond it the load falls behind (and says so) rather than piling up. */
  readonly maxInFlight: number;
  /** A request unanswered after this long failed, ms. */
  readonly requestTimeoutMs: number;
  /** Where the first id of each accepted request goes. */
  readonly sample: TaskSample;
}

export interface BulkLoad {
  /** Sends the load; resolves once the last request is answered, or once `signal` aborts and those in flight are. */
  run(signal: AbortSignal): Promise<LoadSummary>;
  /** Tasks accepted so far. */
  accepted(): number;
  /** Requests failed so far. */
  failed(): number;
}

/** How often the send loop wakes, ms: fine enough for a request every 50 ms, cheap enough to ignore. */
const TICK_MS = 5;
const KEPT_FAILURES = 5;

/**
 * Creates the load; nothing is sent until `run()`.
 *
 * @example
 * const load = createBulkLoad({ apiUrl, rate: 2_000, perRequest: 100, durationMs: 60_000, maxInFlight: 32, requestTimeoutMs: 30_000, sample });
 * const summary = await load.run(signal);
 */
export const createBulkLoad = (options: BulkLoadOptions): BulkLoad => {
  const { rate, perRequest, maxInFlight } = options;
  const url = `${options.apiUrl}/api/tasks/batch`;
  const total = Math.round((rate * options.durationMs) / 1000);
  let next = 0;
  let inFlight = 0;
  let requests = 0;
  let acceptedTasks = 0;
  let failedRequests = 0;
  let maxBacklog = 0;
  const failureSamples: string[] = [];
  const fail = (why: string): void => {
    failedRequests += 1;
    if (failureSamples.length < KEPT_FAILURES) failureSamples.push(why);
  };

  const send = async (first: number, count: number): Promise<void> => {
    const body = JSON.stringify({ tasks: Array.from({ length: count }, (_, n) => sampleTask(first + n)) });
    const submittedAt = Date.now();
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        signal: AbortSignal.timeout(options.requestTimeoutMs),
      });
      const text = await response.text();
      if (response.status !== 202) {
        fail(`${response.status}: ${text.slice(0, 300)}`);
        return;
      }
      const answer = JSON.parse(text) as { accepted?: unknown; taskIds?: unknown };
      const ids = Array.isArray(answer.taskIds) ? answer.taskIds : [];
      const id = ids[0];
      if (answer.accepted !== count || ids.length !== count || typeof id !== 'string') {
        fail(`202 without one id per task: ${text.slice(0, 300)}`);
        return;
      }
      acceptedTasks += count;
      options.sample.offer({ id, submittedAt });
    } catch (error) {
      fail(`no answer: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
    }
  };

  const run = async (signal: AbortSignal): Promise<LoadSummary> => {
    const start = performance.now();
    while (!signal.aborted && next < total) {
      const due = dueTasks(rate, performance.now() - start, total);
      while (inFlight < maxInFlight && next < due) {
        const count = Math.min(perRequest, total - next);
        // A full request, or the run's last tasks: a part-filled one would break the even pace.
        if (due - next < count) break;
        inFlight += 1;
        requests += 1;
        void send(next, count).finally(() => {
          inFlight -= 1;
        });
        next += count;
      }
      maxBacklog = Math.max(maxBacklog, due - next);
      await sleep(TICK_MS);
    }
    while (inFlight > 0) await sleep(TICK_MS);
    return { requests, acceptedTasks, failedRequests, failureSamples: [...failureSamples], maxBacklog };
  };

  return { run, accepted: () => acceptedTasks, failed: () => failedRequests };
};
