import type { TaskStatus } from './task-view.js';

/**
 * `waitFor` gave up: the task did not reach COMPLETED or FAILED within `timeoutMs`. Not a
 * {@link SluiceError}: the api answered every look, the task is simply still going.
 */
export class WaitTimeoutError extends Error {
  override readonly name = 'WaitTimeoutError';

  constructor(
    readonly taskId: string,
    /** The status of the last look, `undefined` when no look answered in time. */
    readonly lastStatus: TaskStatus | undefined,
    readonly timeoutMs: number,
  ) {
    super(
      `Task ${taskId} was ${lastStatus === undefined ? 'not seen' : `still ${lastStatus}`} after ${timeoutMs} ms ` +
        'of waiting for COMPLETED or FAILED',
    );
  }
}
