import { abortableSleep } from './abortable-sleep.js';
import { pollInterval } from './poll-interval.js';
import type { TaskStatus } from './task-view.js';
import { WaitTimeoutError } from './wait-timeout-error.js';

/** Options of `waitFor`. */
export interface WaitForOptions {
  /** Give up after this many ms with a {@link WaitTimeoutError}: a whole number ≥ 0. Default 60,000. */
  readonly timeoutMs?: number | undefined;
  /** Stops waiting, rejecting with the signal's reason. */
  readonly signal?: AbortSignal | undefined;
}

/** How long `waitFor` waits unless told: a minute, past a few retries of a task with backoff. */
export const DEFAULT_WAIT_TIMEOUT_MS = 60_000;

const SETTLED: ReadonlySet<TaskStatus> = new Set(['COMPLETED', 'FAILED']);

/**
 * Looks at task `id` through `look` until it is COMPLETED or FAILED, pausing as
 * {@link pollInterval} says. The timeout aborts the look in flight too, so a hung request
 * cannot hold the wait past it.
 *
 * @throws {WaitTimeoutError} naming the task and its last status, once `timeoutMs` has passed.
 * @throws what `look` throws (a `SluiceError` for a task the api does not know), or the
 *   caller's signal's reason.
 */
export const waitForTask = async <V extends { readonly status: TaskStatus }>(
  look: (signal: AbortSignal) => Promise<V>,
  id: string,
  options: WaitForOptions = {},
): Promise<V> => {
  const timeoutMs = options.timeoutMs ?? DEFAULT_WAIT_TIMEOUT_MS;
  if (!Number.isSafeInteger(timeoutMs) || timeoutMs < 0) {
    throw new RangeError(`timeoutMs must be a whole number ≥ 0, got ${String(timeoutMs)}`);
  }
  const { signal } = options;
  signal?.throwIfAborted();
  // One signal for every look and pause, aborted by the timeout or by the caller: which one it
  // was is told by its reason.
  const stop = new AbortController();
  const timedOut = new Error('waitFor timed out');
  const timer = setTimeout(() => stop.abort(timedOut), timeoutMs);
  const onAbort = (): void => stop.abort(signal?.reason);
  signal?.addEventListener('abort', onAbort, { once: true });
  let lastStatus: TaskStatus | undefined;
  try {
    for (let poll = 0; ; poll += 1) {
      const task = await look(stop.signal);
      lastStatus = task.status;
      if (SETTLED.has(task.status)) return task;
      await abortableSleep(pollInterval(poll), stop.signal);
    }
  } catch (error) {
    if (stop.signal.reason === timedOut) throw new WaitTimeoutError(id, lastStatus, timeoutMs);
    throw error;
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  }
};
