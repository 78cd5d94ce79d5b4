import type { Store } from '@sluice/store';
import {
  submitKeyed as submitKeyedTasks,
  type KeyedOutcome,
  type KeyedSubmission,
  type TaskQueue,
} from '@sluice/tasks';
import { enqueueProblem } from './enqueue-problem.js';

export interface KeyedSubmissionDeps {
  readonly queue: Pick<TaskQueue, 'findMany'>;
  readonly store: Pick<Store, 'findTasks'>;
}

/** @sluice/tasks' submitKeyed, answering with problem documents (422, 503) as the api does. */
export const submitKeyed = async (deps: KeyedSubmissionDeps, request: KeyedSubmission): Promise<KeyedOutcome> => {
  try {
    return await submitKeyedTasks({ queue: deps.queue, committed: deps.store }, request);
  } catch (error) {
    throw enqueueProblem(error);
  }
};
