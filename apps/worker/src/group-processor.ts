import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import type { Group, Outcome } from '@sluice/batching';
import { formatDuration } from '@sluice/config';
import {
  isTransientError,
  MissingPartitionError,
  type CommitResult,
  type Store,
  type TaskRecord,
  type TaskRow,
} from '@sluice/store';
import { errorMessage, type Logger, type Metrics } from '@sluice/telemetry';
import {
  checkJob,
  groupByKey,
  newId,
  outcomeProblem,
  parseBatcherKey,
  sinkRowsProblem,
  type Catalog,
  type CheckedTasks,
  type Json,
  type ParcelTask,
  type QueuedJobData,
  type SinkRow,
  type TaskInput,
  type TaskOutcome,
} from '@sluice/tasks';
import type { OutageBackoff } from './outage-backoff.js';
import type { PartitionCoverage } from './partition-maintainer.js';
import { retryParcelOf, type NewJob, type RetriedJob } from './retry-parcel.js';

export type TaskJob = Job<QueuedJobData, Json, string>;

export interface GroupProcessorDeps {
  readonly catalog: Catalog;
  readonly store: Pick<Store, 'commitGroup' | 'findTasks'>;
  readonly workerId: string;
  readonly metrics: Metrics;
  readonly logger: Logger;
  /** How long a group whose commit failed for a transient reason waits before it is tried again. */
  readonly outageBackoff: OutageBackoff;
  /** Told of every transient commit failure (the worker pauses until the database answers). */
  readonly onCommitUnavailable?: (error: unknown) => void;
  /**
   * Handed to every handler (`HandlerContext.signal`): the worker aborts it when its shutdown
   * grace is running out. Default: never aborted.
   */
  readonly signal?: AbortSignal;
  /** Adds a job to the tasks queue: a retry parcel (see `retryParcelOf`). */
  readonly addJob: (job: NewJob) => Promise<unknown>;
  /**
   * The `tasks` partitions, and the TASK_RETENTION that drops them: a task whose partition is
   * gone fails for good before its handler runs. Default: every task is taken as having one.
   */
  readonly partitions?: { readonly coverage: PartitionCoverage; readonly retentionSeconds: number };
  /** Test-only fault injection: runs right after a commit, before any job is acknowledged. */
  readonly afterCommit?: () => void;
}

/** How long a group waits before it is taken again after a commit found a row with no partition. */
const MISSING_PARTITION_RETRY_MS = 1_000;

const NEVER_ABORTED = new AbortController().signal;

/** What the worker decided for one job of the group. */
type Decision =
  | { readonly kind: 'completed'; readonly result: Json; readonly sinkRows?: ReadonlyArray<SinkRow> }
  | { readonly kind: 'failed'; readonly error: string } // final: a FAILED row (a single task's job: the failed set)
  | { readonly kind: 'retry'; readonly error: string } // no row: BullMQ retries it after its backoff
  // Its time's partition was dropped past TASK_RETENTION: no row can be written, so its job fails for good.
  | { readonly kind: 'expired'; readonly error: string }
  // An earlier run committed the task's row: the job settles as the row says, whatever this run decided.
  | { readonly kind: 'duplicate'; readonly row: Pick<TaskRecord, 'status' | 'error'> }
  // A duplicate whose row could not be read: back to BullMQ, to be settled by a later run.
  | { readonly kind: 'unread'; readonly cause: unknown };

/**
 * Why the store could not write `result` as JSON (a BigInt, a cycle, a bare function), or
 * `undefined` when it can. Checked per task before the commit, since the store refuses the whole
 * group for one such value.
 */
const unencodable = (result: unknown): string | undefined => {
  try {
    if (result === undefined || JSON.stringify(result) !== undefined) return undefined;
    return `${typeof result} is not a JSON value`;
  } catch (error) {
    // V8's cycle message runs over several lines, pointing into the value.
    return errorMessage(error).split('\n')[0];
  }
};

/** Why a task whose partition is gone ends without a row. */
const expiredReason = (submittedAt: number, retentionSeconds: number): string =>
  `its partition is gone: the task was submitted at ${new Date(submittedAt).toISOString()}, and rows are kept ` +
  `for TASK_RETENTION (${formatDuration(retentionSeconds)}); the partition of that time was dropped, so its row ` +
  'can no longer be written';

/** A failure that BullMQ retries, unless this was the task's last attempt. */
const retryable = (error: string, attempt: number, maxAttempts: number): Decision =>
  attempt < maxAttempts ? { kind: 'retry', error } : { kind: 'failed', error };

/**
 * The worker's decision for what a handler answered for one task. A retryable failure is final
 * on the task's last attempt. An answer that is not an outcome, or a result that cannot be
 * stored, is the handler's fault for this task only: it is retried like any retryable failure.
 */
const decide = (answer: unknown, attempt: number, maxAttempts: number): Decision => {
  const problem = outcomeProblem(answer);
  if (problem !== undefined) return retryable(`the handler answered ${problem}`, attempt, maxAttempts);
  const outcome = answer as TaskOutcome;
  if (!outcome.ok) {
    return outcome.retry ? retryable(outcome.error, attempt, maxAttempts) : { kind: 'failed', error: outcome.error };
  }
  const unstorable = unencodable(outcome.result);
  if (unstorable !== undefined) {
    return retryable(`the handler's result cannot be stored as JSON: ${unstorable}`, attempt, maxAttempts);
  }
  return { kind: 'completed', result: outcome.result ?? null };
};

/**
 * A completed task's decision with its sink rows, made by the sink's `rows(task, result)`. Rows
 * that cannot be made (it threw), are not rows (see `sinkRowsProblem`) or cannot be stored as
 * JSON fail the task's attempt alone, like a result that cannot be stored; whether PostgreSQL
 * takes their values is settled by the commit.
 */
const withSinkRows = (
  decision: Extract<Decision, { kind: 'completed' }>,
  rowsOf: (task: TaskInput<unknown>, result: Json) => ReadonlyArray<SinkRow>,
  task: TaskInput<unknown>,
): Decision => {
  let rows: unknown;
  try {
    rows = rowsOf(task, decision.result);
  } catch (error) {
    return retryable(`the sink's rows could not be made: ${errorMessage(error)}`, task.attempt, task.maxAttempts);
  }
  const problem = sinkRowsProblem(rows) ?? unencodable(rows);
  if (problem !== undefined) {
    return retryable(`the sink's rows cannot be stored: ${problem}`, task.attempt, task.maxAttempts);
  }
  return { ...decision, sinkRows: rows as ReadonlyArray<SinkRow> };
};

/**
 * Sends a job back to BullMQ's delayed set until `until` without spending an attempt
 * (`moveToDelayed` + DelayedError): the database being away is not the task's fault. A job that
 * cannot be moved (Redis is down too) fails this attempt instead; if even that cannot be
 * recorded, its lock lapses and the stalled-job check returns it to the queue.
 */
const putBack = async (job: TaskJob, until: number, cause: unknown): Promise<Outcome<Json>> => {
  try {
    await job.moveToDelayed(until, job.token);
    return { ok: false, error: new DelayedError() };
  } catch {
    return { ok: false, error: cause instanceof Error ? cause : new Error(String(cause)) };
  }
};

/** How a job settles for a decision (an `unread` one is put back or fails this attempt). */
const settle = (decision: Exclude<Decision, { kind: 'unread' }>): Outcome<Json> => {
  // A completed task's result is in its row. BullMQ would serialise it once more into the
  // job's completed event, and the job itself is removed at once (see jobOptions).
  if (decision.kind === 'completed') return { ok: true, value: null };
  if (decision.kind === 'retry') return { ok: false, error: new Error(decision.error) };
  // It has no row to tell the story: the failed job's reason is all there is.
  if (decision.kind === 'expired') return { ok: false, error: new UnrecoverableError(decision.error) };
  if (decision.kind === 'duplicate') {
    return decision.row.status === 'COMPLETED'
      ? { ok: true, value: null }
      : { ok: false, error: new UnrecoverableError(decision.row.error ?? 'failed in an earlier run') };
  }
  return { ok: false, error: new UnrecoverableError(decision.error) };
};

/** One task of the group, from a single-task job or a parcel, with what its job says of it. */
interface Entry {
  /** Its job's place in the group. */
  readonly job: number;
  readonly task: ParcelTask;
  readonly attempt: number;
  readonly maxAttempts: number;
  readonly submittedAt: number;
}

/** A parcel's task that needs another attempt, and why. */
interface Retry {
  readonly task: ParcelTask;
  readonly error: string;
}

/**
 * Runs a released group through its task type's handler and commits the finished tasks in one
 * statement. A group holds jobs, and a job holds one task or a parcel of many: the handler sees
 * tasks, and the answer is one outcome per job for the BatchWorker to settle. A value completes
 * the job; an `UnrecoverableError` sends it straight to BullMQ's failed set (its FAILED rows are
 * already committed, or it is not a task and can have no row); any other error lets BullMQ retry
 * the whole job with backoff.
 *
 * Retries stay per task. A single-task job is retried by BullMQ. A parcel whose tasks all need
 * another attempt is too, as one job; one whose tasks only partly do sends those on in a retry
 * parcel (see `retryParcelOf`), added before the parcel completes, so a crash in between leaves
 * the parcel to run again and add the same retry parcel, never tasks with no job at all.
 *
 * Faults stay with the tasks they concern. A job that is not a task (see `checkJob`) fails for
 * good, alone, before the handler runs. An answer of the handler that is not an outcome, or a
 * result JSON cannot hold, fails that task's attempt alone. A commit that fails for a transient
 * reason (see `isTransientError`) wrote nothing and sends the group back without spending an
 * attempt; any other commit error also wrote nothing, and fails this attempt of every task of
 * the group, so that it ends after the tasks' attempts rather than looping.
 *
 * A task whose partition is gone (dropped past TASK_RETENTION while it waited) fails for good as
 * expired, before its handler runs, with no row; a commit that meets a partition changed since
 * it was read sends the group back to be sorted again.
 *
 * A task whose row an earlier run already committed (a redelivery after a crash, or a second run
 * after a lost lock) settles as that row says: COMPLETED completes it, FAILED fails it for good
 * with the row's error, whatever this run decided, so BullMQ's failed set never holds a task
 * whose row is COMPLETED.
 */
export const createGroupProcessor =
  (deps: GroupProcessorDeps) =>
  async (group: Group<TaskJob>): Promise<ReadonlyArray<Outcome<Json>>> => {
    const { catalog, store, workerId, metrics } = deps;

    const jobs = group.items;
    // The batcher's key is the task type, or the type and its groupBy key (see batcherKey).
    const { taskType, groupKey } = parseBatcherKey(catalog, group.key);
    const type = catalog.get(taskType);
    const batchId = newId();
    const logger = deps.logger.child(groupKey === null ? { taskType } : { taskType, groupKey });

    // The api enqueues only valid tasks, but anything with access to Redis can add a job: check
    // each one, and each task's payload against its type's schema. The handler gets the schema's
    // output (defaults and transforms applied), not the raw JSON.
    const checked = jobs.map((job) => checkJob(job.id, job.data));
    const entries: Entry[] = [];
    checked.forEach((check, job) => {
      if (!check.ok) return;
      const { attemptsMade, opts } = jobs[job] as TaskJob;
      // A retry parcel's tasks start on a later attempt; each attempt BullMQ makes of it adds one.
      const attempt = check.firstAttempt + attemptsMade;
      const maxAttempts = check.firstAttempt - 1 + (opts.attempts ?? 1);
      for (const task of check.tasks) entries.push({ job, task, attempt, maxAttempts, submittedAt: check.submittedAt });
    });
    const payloads: unknown[] = [];
    const decisions: Array<Decision | undefined> = entries.map((entry, index) => {
      // Checked first: the handler's work could not be kept. All tasks of a parcel share its time.
      if (deps.partitions?.coverage.coverageOf(new Date(entry.submittedAt)) === 'gone') {
        return { kind: 'expired', error: expiredReason(entry.submittedAt, deps.partitions.retentionSeconds) };
      }
      const name = jobs[entry.job]?.name;
      if (!type || name !== taskType) return { kind: 'failed', error: `unknown task type ${JSON.stringify(name)}` };
      const parsed = type.payload.safeParse(entry.task.payload);
      if (!parsed.success) return { kind: 'failed', error: `invalid payload: ${parsed.error.message}` };
      if (type.groupBy !== undefined && groupKey === null) {
        // The type's keyless group holds the tasks whose groupBy gave no key when they arrived.
        const answer = groupByKey(type, entry.task.payload);
        const why = answer.ok ? 'groupBy gave no key when the task arrived' : answer.problem;
        return retryable(why, entry.attempt, entry.maxAttempts);
      }
      payloads[index] = parsed.data;
      return undefined;
    });
    const runnable = entries.flatMap((entry, index) => (decisions[index] === undefined ? [{ entry, index }] : []));

    const handlerStarted = performance.now();
    if (type && runnable.length > 0) {
      const inputs: ReadonlyArray<TaskInput<unknown>> = runnable.map(({ entry, index }) => ({
        id: entry.task.id,
        payload: payloads[index],
        attempt: entry.attempt,
        maxAttempts: entry.maxAttempts,
        submittedAt: new Date(entry.submittedAt),
      }));
      let answers: ReadonlyArray<unknown>;
      try {
        answers = await type.handle(inputs, {
          signal: deps.signal ?? NEVER_ABORTED,
          logger: logger.child({ batchId }),
          group: { key: groupKey, trigger: group.trigger },
        });
        if (answers.length !== inputs.length) {
          throw new Error(`handler of ${type.name} returned ${answers.length} outcomes for ${inputs.length} tasks`);
        }
      } catch (error) {
        logger.warn('handler failed for the whole group', {
          size: inputs.length,
          error: errorMessage(error),
        });
        answers = inputs.map(() => ({ ok: false, error: `handler failed: ${errorMessage(error)}`, retry: true }));
      }
      const sink = type.sink;
      runnable.forEach(({ entry, index }, n) => {
        const decision = decide(answers[n], entry.attempt, entry.maxAttempts);
        const input = inputs[n];
        decisions[index] =
          sink === undefined || decision.kind !== 'completed' || input === undefined
            ? decision
            : withSinkRows(decision, sink.rows, input);
      });
    }
    const handlerMs = performance.now() - handlerStarted;

    const rows: TaskRow[] = [];
    entries.forEach((entry, index) => {
      const decision = decisions[index];
      if (decision === undefined || (decision.kind !== 'completed' && decision.kind !== 'failed')) return;
      const job = jobs[entry.job];
      rows.push({
        id: entry.task.id,
        taskType,
        payload: entry.task.payload,
        status: decision.kind === 'completed' ? 'COMPLETED' : 'FAILED',
        result: decision.kind === 'completed' ? decision.result : null,
        error: decision.kind === 'failed' ? decision.error : null,
        attempts: entry.attempt,
        submittedAt: new Date(entry.submittedAt),
        startedAt: job?.processedOn ? new Date(job.processedOn) : null,
        ...(decision.kind === 'completed' && decision.sinkRows !== undefined ? { sinkRows: decision.sinkRows } : {}),
      });
    });

    /** A job that is not a task fails for good, alone, whatever became of the group. */
    const invalidOutcome = (job: number): Outcome<Json> | undefined => {
      const check = checked[job];
      return check?.ok === false ? { ok: false, error: new UnrecoverableError(check.reason) } : undefined;
    };

    /**
     * Sends the jobs of an uncommitted group back to BullMQ (see `putBack`): an outage is not
     * the tasks' fault.
     */
    const postpone = async (error: unknown): Promise<ReadonlyArray<Outcome<Json>>> => {
      const delayMs = deps.outageBackoff.next();
      logger.warn('commit failed; group postponed', {
        size: entries.length,
        delayMs,
        error: errorMessage(error),
      });
      deps.onCommitUnavailable?.(error);
      const until = Date.now() + delayMs;
      return Promise.all(jobs.map((job, index) => invalidOutcome(index) ?? putBack(job, until, error)));
    };

    /** A commit error no retry of the group can heal: every task spends this attempt on it. */
    const failAttempt = (error: unknown): ReadonlyArray<Outcome<Json>> => {
      logger.error('commit failed for a reason that is not transient; every task of the group fails this attempt', {
        size: entries.length,
        error: errorMessage(error),
      });
      const failure = `commit failed: ${errorMessage(error)}`;
      return jobs.map((_, index): Outcome<Json> => invalidOutcome(index) ?? { ok: false, error: new Error(failure) });
    };

    /**
     * A row had no partition: the partitions changed since they were last read (one was dropped,
     * or the next is not made yet). Nothing was written. The jobs go back without spending an
     * attempt, and are sorted again with the partitions read now: those whose partition is gone
     * then fail for good as expired.
     */
    const sortAgain = async (error: MissingPartitionError): Promise<ReadonlyArray<Outcome<Json>>> => {
      await deps.partitions?.coverage.refresh();
      logger.warn('a row of the group has no partition; the group goes back to be sorted again', {
        size: entries.length,
        error: errorMessage(error),
      });
      const until = Date.now() + MISSING_PARTITION_RETRY_MS;
      return Promise.all(jobs.map((job, index) => invalidOutcome(index) ?? putBack(job, until, error)));
    };

    // Expired tasks are no part of the batch: they can have no row. A group of nothing else
    // writes nothing at all.
    const expired = decisions.filter((decision) => decision?.kind === 'expired').length;
    const commitStarted = performance.now();
    let committed: CommitResult;
    try {
      committed =
        expired > 0 && expired === entries.length
          ? { inserted: 0, duplicates: 0, written: [], rejected: [], committedAt: new Date() }
          : await store.commitGroup({
              batch: {
                id: batchId,
                workerId,
                taskType,
                ...(groupKey === null ? {} : { groupKey }),
                trigger: group.trigger,
                openedAt: new Date(group.openedAt),
                flushedAt: new Date(group.releasedAt),
                handlerMs,
                // Jobs that are not tasks are no part of the batch either.
                size: entries.length - expired,
              },
              tasks: rows,
              ...(type?.sink === undefined ? {} : { sinkTable: type.sink.table }),
            });
    } catch (error) {
      // Rows the database rejects for their data are isolated inside commitGroup; whatever else
      // went wrong, the transaction wrote nothing.
      if (error instanceof MissingPartitionError) return sortAgain(error);
      return isTransientError(error) ? postpone(error) : failAttempt(error);
    }
    deps.outageBackoff.reset();
    deps.afterCommit?.();
    const commitSeconds = (performance.now() - commitStarted) / 1000;

    // Rows the database refused were recorded as FAILED with its message: fail those tasks for
    // good. The failure reads as the row's error does.
    const rejected = new Map(
      committed.rejected.map((r) => [r.id, `rejected by PostgreSQL (${r.sqlState}): ${r.message}`]),
    );
    entries.forEach((entry, index) => {
      const reason = rejected.get(entry.task.id);
      if (reason !== undefined) decisions[index] = { kind: 'failed', error: reason };
    });

    // A task this commit did not write was a duplicate: an earlier run committed its row (the job
    // came back after a crash between commit and acknowledgement, or ran twice after a worker lost
    // its lock), and what that row says is the task's outcome, whatever this run decided. A task
    // to be retried may have such a row too. One more query, and only when there are any.
    const written = new Set(committed.written);
    const unsettled = entries.flatMap((entry, index) => {
      const kind = decisions[index]?.kind;
      const skipped = (kind === 'completed' || kind === 'failed') && !written.has(entry.task.id);
      return skipped || kind === 'retry' ? [{ index, id: entry.task.id, skipped }] : [];
    });
    let retriesSettled = 0;
    if (unsettled.length > 0) {
      try {
        // PostgreSQL prints a uuid in lower case; a job id may not be.
        const found = await store.findTasks(unsettled.map(({ id }) => id));
        const rowOf = new Map(found.map((row) => [row.id.toLowerCase(), row]));
        for (const { index, id, skipped } of unsettled) {
          const row = rowOf.get(id.toLowerCase());
          if (row === undefined) continue; // a retry with no row; or a row deleted since: this run decides
          decisions[index] = { kind: 'duplicate', row };
          if (!skipped) retriesSettled += 1;
        }
      } catch (error) {
        logger.warn('could not read the rows of tasks committed before; they go back to the queue', {
          tasks: unsettled.length,
          error: errorMessage(error),
        });
        // A retry is a retry either way; a duplicate must not settle by this run's decision.
        for (const { index, skipped } of unsettled) if (skipped) decisions[index] = { kind: 'unread', cause: error };
      }
    }

    const labels = { task_type: taskType };
    const counts = { completed: 0, failed: 0, retried: 0, expired: 0 };
    for (const decision of decisions) {
      if (decision === undefined || decision.kind === 'duplicate' || decision.kind === 'unread') continue;
      counts[decision.kind === 'retry' ? 'retried' : decision.kind] += 1;
    }
    counts.failed += checked.filter((check) => !check.ok).length;
    const duplicates = committed.duplicates + retriesSettled;
    metrics.handlerSeconds.observe(labels, handlerMs / 1000);
    metrics.commitSeconds.observe(labels, commitSeconds);
    for (const [outcome, n] of Object.entries(counts)) {
      if (n > 0) metrics.tasksFinished.inc({ ...labels, outcome }, n);
    }
    if (duplicates > 0) metrics.duplicatesSkipped.inc(labels, duplicates);
    const committedAtMs = committed.committedAt.getTime();
    // One label lookup for the group, not one per task.
    const latency = metrics.taskLatencySeconds.labels(labels);
    for (const row of rows) {
      if (written.has(row.id)) latency.observe((committedAtMs - row.submittedAt.getTime()) / 1000);
    }
    logger.info('group committed', {
      batchId,
      size: entries.length,
      jobs: jobs.length,
      trigger: group.trigger,
      ...counts,
      duplicates,
      handlerMs: Math.round(handlerMs * 100) / 100,
      commitMs: Math.round(commitSeconds * 100_000) / 100,
    });

    // The decisions of each job's tasks, in order: entries are laid out job by job.
    const byJob: Array<Array<{ readonly entry: Entry; readonly decision: Decision | undefined }>> = jobs.map(() => []);
    entries.forEach((entry, index) => {
      byJob[entry.job]?.push({ entry, decision: decisions[index] });
    });

    let until: number | undefined;
    const unread = (job: TaskJob, cause: unknown): Outcome<Json> | Promise<Outcome<Json>> => {
      if (!isTransientError(cause)) {
        return { ok: false, error: new Error(`could not read its committed row: ${errorMessage(cause)}`) };
      }
      until ??= Date.now() + deps.outageBackoff.next();
      return putBack(job, until, cause);
    };

    /** How a parcel settles once each of its tasks has a decision. */
    const settleParcel = async (
      job: TaskJob,
      check: CheckedTasks,
      tasks: ReadonlyArray<{ readonly entry: Entry; readonly decision: Decision | undefined }>,
    ): Promise<Outcome<Json>> => {
      const cause = tasks.find(({ decision }) => decision?.kind === 'unread')?.decision;
      // Its settled tasks settle again as duplicates when the parcel runs again.
      if (cause?.kind === 'unread') return unread(job, cause.cause);
      const retries: Retry[] = [];
      const failures: string[] = [];
      for (const { entry, decision } of tasks) {
        // Every task has a decision by now; a missing one would be a bug here, and retrying is safe.
        const final = decision === undefined ? undefined : settle(decision as Exclude<Decision, { kind: 'unread' }>);
        if (final === undefined || (!final.ok && !(final.error instanceof UnrecoverableError))) {
          retries.push({ task: entry.task, error: final?.ok === false ? final.error.message : 'no decision was made' });
        } else if (!final.ok) {
          failures.push(final.error.message);
          logger.warn('task failed for good', {
            taskId: entry.task.id,
            parcelId: job.id,
            attempts: entry.attempt,
            error: final.error.message,
          });
        }
      }
      const [firstRetry] = retries;
      // Every task goes on to another attempt: BullMQ retries the parcel whole, with its backoff.
      if (firstRetry !== undefined && retries.length === tasks.length) {
        const more = retries.length > 1 ? ` (and ${retries.length - 1} more tasks of the parcel)` : '';
        return { ok: false, error: new Error(`${firstRetry.error}${more}`) };
      }
      if (retries.length > 0) {
        const retry = retryParcelOf(job as RetriedJob, check, retries);
        try {
          await deps.addJob(retry);
        } catch (error) {
          // Its settled tasks settle again as duplicates when BullMQ retries the parcel.
          return { ok: false, error: new Error(`could not add the retry parcel: ${errorMessage(error)}`) };
        }
      }
      if (failures.length === tasks.length && failures.length > 0) {
        const more = failures.length > 1 ? ` (and ${failures.length - 1} more tasks of the parcel)` : '';
        return { ok: false, error: new UnrecoverableError(`${failures[0]}${more}`) };
      }
      return { ok: true, value: null };
    };

    return Promise.all(
      jobs.map((job, index): Outcome<Json> | Promise<Outcome<Json>> => {
        const check = checked[index];
        if (check === undefined || !check.ok)
          return invalidOutcome(index) ?? { ok: false, error: new Error('no check') };
        const tasks = byJob[index] ?? [];
        if (check.parcel) return settleParcel(job, check, tasks);
        const decision = tasks[0]?.decision;
        // Every job has a decision by now; a missing one would be a bug here, and retrying is safe.
        if (decision === undefined) return { ok: false, error: new Error('no decision was made for this task') };
        return decision.kind === 'unread' ? unread(job, decision.cause) : settle(decision);
      }),
    );
  };
