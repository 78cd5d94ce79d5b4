import { IdempotencyKeyReusedError, OutcomeUnknownError } from './enqueue-errors.js';
import { canonicalJson } from './idempotency.js';
import type { KeyedParcelIds } from './keyed-parcels.js';
import type { FieldError, Submission } from './submission.js';
import { lookUpTasks, type FoundTask, type LookupDeps } from './task-lookup.js';

export interface KeyedSubmission {
  /** The Idempotency-Key, for the 422's message. */
  readonly key: string;
  readonly submissions: ReadonlyArray<Submission>;
  /** From `taskIdForKey` (one id, no foreign ones) or `keyedParcelIds`. */
  readonly ids: Pick<KeyedParcelIds, 'own' | 'foreign'>;
  /**
   * Enqueues the tasks at `missing` (places in `submissions`) under their ids; what it throws
   * (see enqueueFailure) is thrown on.
   */
  readonly enqueue: (missing: ReadonlyArray<number>) => Promise<unknown>;
  /** Where a task's differences point in a 422: `/tasks/3` in a bulk request. */
  readonly pointerOf: (index: number) => string;
}

export interface KeyedOutcome {
  /** Per task: as it was before this request, or as found just after this request enqueued it. */
  readonly tasks: ReadonlyArray<FoundTask | undefined>;
  /** Per task: whether it already existed, so this request enqueued nothing for it. */
  readonly existed: ReadonlyArray<boolean>;
  /** What this request enqueued: the tasks whose ids were in neither Redis nor PostgreSQL. */
  readonly enqueued: ReadonlyArray<Submission>;
}

/** Whether a found task is the one a submission describes: same type, same payload in canonical form. */
const sameTask = (found: FoundTask, submission: Submission): boolean =>
  found.taskType === submission.taskType && canonicalJson(found.payload) === canonicalJson(submission.payload);

/** What a 422 says when a task of the key's first body is found under a foreign id. */
const OTHER_SHAPE =
  'this Idempotency-Key was first sent with another number of tasks, or of task types and group keys, or in another order';

const DIFFERS = 'differs from the task first sent at this position with this Idempotency-Key';

/**
 * Submits tasks whose ids come from an Idempotency-Key, so that a re-send, even long after the
 * jobs left Redis, enqueues only the tasks that neither Redis nor PostgreSQL holds:
 *
 * 1. Looks every id up, in BullMQ and then in PostgreSQL (`lookUpTasks`). A task that exists
 *    with another type or payload (canonical JSON) is an IdempotencyKeyReusedError (the api's 422).
 * 2. When some are missing, looks up the foreign ids too: a task under one of them means the key
 *    was first sent with a body of another shape (see keyedParcelIds), the same error.
 * 3. Enqueues only the missing ones, then looks them up again: two first requests with one key
 *    may race, and BullMQ keeps whichever job came first. If that look fails the jobs are stored
 *    all the same, so the error is OutcomeUnknownError, never "nothing was changed".
 *
 * A lookup that fails before anything is enqueued throws UnavailableError.
 *
 * @example
 * const outcome = await submitKeyed(deps, { key, submissions, ids: keyed.ids, enqueue, pointerOf });
 * outcome.enqueued.length; // 0 for a replay
 */
export const submitKeyed = async (deps: LookupDeps, request: KeyedSubmission): Promise<KeyedOutcome> => {
  const { key, submissions, ids, pointerOf } = request;
  const before = await lookUpTasks(deps, ids.own);
  const errors: FieldError[] = [];
  const missing: number[] = [];
  submissions.forEach((submission, index) => {
    const found = before.get(ids.own[index] ?? '');
    if (found === undefined) missing.push(index);
    else if (!sameTask(found, submission)) errors.push({ pointer: pointerOf(index), message: DIFFERS });
  });
  if (missing.length > 0 && ids.foreign.length > 0) {
    const foreign = await lookUpTasks(deps, ids.foreign);
    if (ids.foreign.some((id) => foreign.has(id))) errors.push({ pointer: '/tasks', message: OTHER_SHAPE });
  }
  if (errors.length > 0) throw new IdempotencyKeyReusedError(key, errors);

  const tasks: Array<FoundTask | undefined> = submissions.map((_, index) => before.get(ids.own[index] ?? ''));
  if (missing.length === 0) return { tasks, existed: tasks.map(() => true), enqueued: [] };

  const enqueued = missing.map((index) => submissions[index]).filter((s): s is Submission => s !== undefined);
  const enqueuedIds = missing.map((index) => ids.own[index] ?? '');
  await request.enqueue(missing);
  let after: ReadonlyMap<string, FoundTask>;
  try {
    after = await lookUpTasks(deps, enqueuedIds);
  } catch (error) {
    throw new OutcomeUnknownError('check', error instanceof Error && error.cause !== undefined ? error.cause : error);
  }
  const raced: FieldError[] = [];
  for (const index of missing) {
    const found = after.get(ids.own[index] ?? '');
    const submission = submissions[index];
    if (found !== undefined && submission !== undefined && !sameTask(found, submission)) {
      raced.push({ pointer: pointerOf(index), message: DIFFERS });
    }
    tasks[index] = found;
  }
  if (raced.length > 0) throw new IdempotencyKeyReusedError(key, raced, raced.length < missing.length);
  const existed = submissions.map(() => true);
  for (const index of missing) existed[index] = false;
  return { tasks, existed, enqueued };
};
