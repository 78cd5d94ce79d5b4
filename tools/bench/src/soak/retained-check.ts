/**
 * Reads sampled tasks back through the api, as a user would: `GET /api/tasks/:id` must answer
 * 200 with status COMPLETED for each.
 */
import { eachInFlight } from '../bench/in-flight.js';
import type { RetainedCheck } from './judge-soak.js';
import type { SampledTask } from './task-sample.js';

const READS_IN_FLIGHT = 8;
const READ_TIMEOUT_MS = 10_000;

/** What the api said of a task, when not 200 COMPLETED: `404`, `FAILED`, `no answer: …`. */
const readTask = async (apiUrl: string, id: string): Promise<string | undefined> => {
  try {
    const response = await fetch(`${apiUrl}/api/tasks/${id}`, { signal: AbortSignal.timeout(READ_TIMEOUT_MS) });
    const text = await response.text();
    if (response.status !== 200) return String(response.status);
    const status = (JSON.parse(text) as { status?: unknown }).status;
    return status === 'COMPLETED' ? undefined : String(status);
  } catch (error) {
    return `no answer: ${error instanceof Error ? error.message : String(error)}`;
  }
};

/**
 * Reads every task of `picked` and lists those not COMPLETED, oldest first.
 *
 * @example
 * const check = await checkRetained(apiUrl, { since, sampled: 36_000, eligible: 12_000, picked });
 */
export const checkRetained = async (
  apiUrl: string,
  selection: {
    readonly since: number;
    readonly sampled: number;
    readonly eligible: number;
    readonly picked: ReadonlyArray<SampledTask>;
  },
): Promise<RetainedCheck> => {
  const missing: Array<RetainedCheck['missing'][number] & { readonly at: number }> = [];
  await eachInFlight(selection.picked, READS_IN_FLIGHT, async (task) => {
    const found = await readTask(apiUrl, task.id);
    if (found !== undefined) {
      missing.push({ id: task.id, submittedAt: new Date(task.submittedAt).toISOString(), found, at: task.submittedAt });
    }
  });
  return {
    since: new Date(selection.since).toISOString(),
    sampled: selection.sampled,
    eligible: selection.eligible,
    checked: selection.picked.length,
    missing: missing.sort((a, b) => a.at - b.at).map(({ at: _at, ...task }) => task),
  };
};
