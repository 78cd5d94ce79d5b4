import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import type { Group, Outcome } from '@sluice/batching';
import type { CommitResult, Store, TaskRow } from '@sluice/store';
import type { Logger, Metrics } from '@sluice/telemetry';
import type { OutageBackoff } from './outage-backoff.js';
import { newId, type Catalog, type JobData, type Json, type TaskInput, type TaskOutcome } from '@sluice/tasks';

export type TaskJob = Job<JobData, Json, string>;

export interface GroupProcessorDeps {
  readonly catalog: Catalog;
  readonly store: Pick<Store, 'commitGroup'>;
  readonly workerId: string;
  readonly metrics: Metrics;
  readonly logger: Logger;
  /** How long a group whose commit failed for a transient reason waits before it is tried again. */
  readonly outageBackoff: OutageBackoff;
  /** Told of every transient commit failure (the worker pauses until the database answers). */
  readonly onCommitUnavailable?: (error: unknown) => void;
  /** Test-only fault injection: runs right after a commit, before any job is acknowledged. */
  readonly afterCommit?: () => void;
}

/** What the worker decided for one task of the group. */
type Decision =
  | { readonly kind: 'completed'; readonly result: Json }
  | { readonly kind: 'failed'; readonly error: string } // final: a FAILED row, then BullMQ's failed set
  | { readonly kind: 'retry'; readonly error: string }; // no row: BullMQ retries it after its backoff

const message = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** A job in a worker always has its id (BullMQ assigns one on add); Sluice's is the task id. */
const idOf = (job: TaskJob): string => {
  if (job.id === undefined) throw new Error('a job reached the worker without an id');
  return job.id;
};

/** A retryable failure is final on the task's last attempt. */
const decide = (outcome: TaskOutcome, attempt: number, maxAttempts: number): Decision => {
  if (outcome.ok) return { kind: 'completed', result: outcome.result ?? null };
  return outcome.retry && attempt < maxAttempts
    ? { kind: 'retry', error: outcome.error }
    : { kind: 'failed', error: outcome.error };
};

/**
 * Runs a released group through its task type's handler and commits the finished tasks in one
 * statement. Returns one outcome per job for the BatchWorker to settle: a value completes the
 * job; an `UnrecoverableError` sends it straight to BullMQ's failed set (its FAILED row is
 * already committed); any other error lets BullMQ retry it with backoff.
 *
 * If the commit itself throws, this rejects: every job of the group then goes back to BullMQ and
 * nothing of the group was written (the commit is one statement).
 */
export const createGroupProcessor =
  (deps: GroupProcessorDeps) =>
  async (group: Group<TaskJob>): Promise<ReadonlyArray<Outcome<Json>>> => {
    const { catalog, store, workerId, metrics, logger } = deps;

    /**
     * Sends every job of an uncommitted group back to BullMQ's delayed set without spending an
     * attempt (`moveToDelayed` + DelayedError): an outage is not the task's fault. A job that
     * cannot be moved (Redis is down too) fails this attempt instead; if even that cannot be
     * recorded, its lock lapses and the stalled-job check returns it to the queue.
     */
    const postpone = async (held: ReadonlyArray<TaskJob>, error: unknown): Promise<ReadonlyArray<Outcome<Json>>> => {
      const delayMs = deps.outageBackoff.next();
      logger.warn('commit failed; group postponed', {
        taskType: group.key,
        size: held.length,
        delayMs,
        error: error instanceof Error ? error.message : String(error),
      });
      deps.onCommitUnavailable?.(error);
      const until = Date.now() + delayMs;
      return Promise.all(
        held.map(async (job): Promise<Outcome<Json>> => {
          try {
            await job.moveToDelayed(until, job.token);
            return { ok: false, error: new DelayedError() };
          } catch {
            return { ok: false, error: error instanceof Error ? error : new Error(String(error)) };
          }
        }),
      );
    };
    const jobs = group.items;
    const type = catalog.get(group.key);
    const attemptOf = (job: TaskJob): number => job.attemptsMade + 1;
    const maxAttemptsOf = (job: TaskJob): number => job.opts.attempts ?? 1;

    // Payloads were validated by the api; check again, since anyone can put a job on the queue.
    // The handler gets the schema's output (defaults and transforms applied), not the raw JSON.
    const payloads: unknown[] = [];
    const decisions: Array<Decision | undefined> = jobs.map((job, index) => {
      if (!type) return { kind: 'failed', error: `unknown task type ${JSON.stringify(group.key)}` };
      const parsed = type.payload.safeParse(job.data.payload);
      if (!parsed.success) return { kind: 'failed', error: `invalid payload: ${parsed.error.message}` };
      payloads[index] = parsed.data;
      return undefined;
    });
    const runnable = jobs.flatMap((job, index) => (decisions[index] === undefined ? [{ job, index }] : []));

    const handlerStarted = performance.now();
    if (type && runnable.length > 0) {
      const inputs: ReadonlyArray<TaskInput<unknown>> = runnable.map(({ job, index }) => ({
        id: idOf(job),
        payload: payloads[index],
        attempt: attemptOf(job),
        maxAttempts: maxAttemptsOf(job),
        submittedAt: new Date(job.data.submittedAt),
      }));
      let outcomes: ReadonlyArray<TaskOutcome>;
      try {
        outcomes = await type.handle(inputs);
        if (outcomes.length !== inputs.length) {
          throw new Error(`handler of ${type.name} returned ${outcomes.length} outcomes for ${inputs.length} tasks`);
        }
      } catch (error) {
        logger.warn('handler failed for the whole group', {
          taskType: group.key,
          size: inputs.length,
          error: message(error),
        });
        outcomes = inputs.map(() => ({ ok: false, error: `handler failed: ${message(error)}`, retry: true }));
      }
      runnable.forEach(({ job, index }, n) => {
        const outcome = outcomes[n] ?? { ok: false, error: 'handler returned no outcome', retry: true };
        decisions[index] = decide(outcome, attemptOf(job), maxAttemptsOf(job));
      });
    }
    const handlerMs = performance.now() - handlerStarted;

    const rows: TaskRow[] = [];
    jobs.forEach((job, index) => {
      const decision = decisions[index];
      if (decision === undefined || decision.kind === 'retry') return;
      rows.push({
        id: idOf(job),
        taskType: group.key,
        payload: job.data.payload,
        status: decision.kind === 'completed' ? 'COMPLETED' : 'FAILED',
        result: decision.kind === 'completed' ? decision.result : null,
        error: decision.kind === 'failed' ? decision.error : null,
        attempts: attemptOf(job),
        submittedAt: new Date(job.data.submittedAt),
        startedAt: job.processedOn ? new Date(job.processedOn) : null,
      });
    });

    const batchId = newId();
    const commitStarted = performance.now();
    let committed: CommitResult;
    try {
      committed = await store.commitGroup({
        batch: {
          id: batchId,
          workerId,
          taskType: group.key,
          trigger: group.trigger,
          openedAt: new Date(group.openedAt),
          flushedAt: new Date(group.releasedAt),
          handlerMs,
          size: jobs.length,
        },
        tasks: rows,
      });
    } catch (error) {
      // Rows the database rejects for their data are isolated inside commitGroup, so what is left
      // is transient (connection lost, server restarting) and the transaction wrote nothing.
      return postpone(jobs, error);
    }
    deps.outageBackoff.reset();
    deps.afterCommit?.();
    const commitSeconds = (performance.now() - commitStarted) / 1000;

    // Rows the database refused were recorded as FAILED with its message: fail those jobs for good.
    // The job's failed reason reads as the row's error does.
    const rejected = new Map(
      committed.rejected.map((r) => [r.id, `rejected by PostgreSQL (${r.sqlState}): ${r.message}`]),
    );
    jobs.forEach((job, index) => {
      const message = rejected.get(idOf(job));
      if (message !== undefined) decisions[index] = { kind: 'failed', error: message };
    });

    const labels = { task_type: group.key };
    const counts = { completed: 0, failed: 0, retried: 0 };
    for (const decision of decisions) {
      if (decision !== undefined) counts[decision.kind === 'retry' ? 'retried' : decision.kind] += 1;
    }
    metrics.handlerSeconds.observe(labels, handlerMs / 1000);
    metrics.commitSeconds.observe(labels, commitSeconds);
    for (const [outcome, n] of Object.entries(counts)) {
      if (n > 0) metrics.tasksFinished.inc({ ...labels, outcome }, n);
    }
    if (committed.duplicates > 0) metrics.duplicatesSkipped.inc(labels, committed.duplicates);
    const committedAtMs = committed.committedAt.getTime();
    // One label lookup for the group, not one per task.
    const latency = metrics.taskLatencySeconds.labels(labels);
    for (const row of rows) latency.observe((committedAtMs - row.submittedAt.getTime()) / 1000);
    logger.info('group committed', {
      batchId,
      taskType: group.key,
      size: jobs.length,
      trigger: group.trigger,
      ...counts,
      duplicates: committed.duplicates,
      handlerMs: Math.round(handlerMs * 100) / 100,
      commitMs: Math.round(commitSeconds * 100_000) / 100,
    });

    return decisions.map((decision): Outcome<Json> => {
      // Every job has a decision by now; a missing one would be a bug here, and retrying is safe.
      if (decision === undefined) return { ok: false, error: new Error('no decision was made for this task') };
      // A completed task's result is in its row. BullMQ would serialise it once more into the
      // job's completed event, and the job itself is removed at once (see jobOptions).
      if (decision.kind === 'completed') return { ok: true, value: null };
      if (decision.kind === 'failed') return { ok: false, error: new UnrecoverableError(decision.error) };
      return { ok: false, error: new Error(decision.error) };
    });
  };
