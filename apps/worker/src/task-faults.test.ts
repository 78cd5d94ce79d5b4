import { sql } from 'kysely';
import { describe, expect, vi } from 'vitest';
import { createStore } from '@sluice/store';
import {
  createCatalog,
  defineTaskType,
  jobDataSchema,
  jobOptions,
  newId,
  type JobData,
  type TaskOutcome,
} from '@sluice/tasks';
import { createLogger } from '@sluice/telemetry';
import { waitFor } from '@sluice/testkit';
import { RETRY, test, type Pipeline } from './test-pipeline.js';

/** What a PROBE task's handler answers for it, named by its payload's `answer`. */
const ANSWERS = {
  ok: () => ({ ok: true, result: { echo: 'fine' } }),
  retry: () => ({ ok: false, error: 'try again later', retry: true }),
  fail: () => ({ ok: false, error: 'this can never work', retry: false }),
  null: () => null,
  text: () => 'done',
  malformed: () => ({ ok: false }),
  bigint: () => ({ ok: true, result: { total: 10n } }),
  cycle: () => {
    const result: Record<string, unknown> = { name: 'loop' };
    result.self = result;
    return { ok: true, result };
  },
} as const satisfies Record<string, () => unknown>;

type Answer = keyof typeof ANSWERS;

/**
 * A task type as a user might write one, wrong answers included: each task's payload says what
 * its handler answers. Any payload is accepted, so the worker's own checks are what is tested.
 */
const probeCatalog = createCatalog([
  defineTaskType({
    name: 'PROBE',
    payload: jobDataSchema.shape.payload,
    sample: () => ({ answer: 'ok' }),
    handle: async (tasks) =>
      tasks.map((task) => ANSWERS[(task.payload as { answer: Answer }).answer]() as unknown as TaskOutcome),
  }),
]);

const probes = (...answers: ReadonlyArray<Answer>) =>
  answers.map((answer) => ({ taskType: 'PROBE', payload: { answer } }));

const rowOf = (pipeline: Pipeline, id: string) =>
  pipeline.db.selectFrom('tasks').select(['status', 'error', 'attempts']).where('id', '=', id).executeTakeFirst();

/** The row of a task once it is committed. */
const committedRow = (pipeline: Pipeline, id: string, timeoutMs = 30_000) =>
  waitFor(() => rowOf(pipeline, id), { what: `task ${id} committed`, timeoutMs });

describe('a fault in one task fails that task only', () => {
  test('a job put on the queue with an id that is not a UUID, or without submittedAt, fails alone and for good; the rest of its group commits', async ({
    pipeline,
  }) => {
    const good = await pipeline.submit(probes('ok', 'ok'));
    const options = { ...jobOptions(RETRY) };
    await pipeline.queue.add(
      'PROBE',
      { payload: { answer: 'ok' }, submittedAt: Date.now() },
      {
        ...options,
        jobId: 'order-42',
      },
    );
    const undated = newId();
    await pipeline.queue.add('PROBE', { payload: { answer: 'ok' } } as unknown as JobData, {
      ...options,
      jobId: undated,
    });
    pipeline.startWorker({ catalog: probeCatalog, batch: { timeoutMs: 1_000 } });

    for (const id of good) expect(await committedRow(pipeline, id)).toMatchObject({ status: 'COMPLETED', attempts: 1 });
    const foreign = await pipeline.failedJob('order-42');
    expect(foreign.attemptsMade).toBe(1);
    expect(foreign.failedReason).toMatch(/^invalid job: its id "order-42" is not a UUID/);
    const withoutDate = await pipeline.failedJob(undated);
    expect(withoutDate.attemptsMade).toBe(1);
    expect(withoutDate.failedReason).toMatch(/^invalid job: .*submittedAt/);
    // Neither can be a row: the id is the primary key, and submittedAt a column that must hold.
    expect(await rowOf(pipeline, undated)).toBeUndefined();
    expect(await pipeline.committedCount()).toBe(2);
  });

  test('a handler answering null, a string or a malformed outcome for one task retries that task alone, then fails it with the reason', async ({
    pipeline,
  }) => {
    const [first, nothing, text, malformed, last] = await pipeline.submit(
      probes('ok', 'null', 'text', 'malformed', 'ok'),
    );
    pipeline.startWorker({ catalog: probeCatalog, batch: { timeoutMs: 300 } });

    for (const id of [first, last]) {
      expect(await committedRow(pipeline, id ?? '')).toMatchObject({ status: 'COMPLETED', attempts: 1 });
    }
    const attempts = RETRY.maxRetries + 1;
    expect(await committedRow(pipeline, nothing ?? '')).toEqual({
      status: 'FAILED',
      attempts,
      error: 'the handler answered null, not an outcome',
    });
    expect(await committedRow(pipeline, text ?? '')).toEqual({
      status: 'FAILED',
      attempts,
      error: 'the handler answered a string, not an outcome',
    });
    expect(await committedRow(pipeline, malformed ?? '')).toEqual({
      status: 'FAILED',
      attempts,
      error: expect.stringMatching(/^the handler answered a malformed outcome: `error` must be a string/),
    });
  });

  test('a result JSON cannot encode (a BigInt, a cycle) retries that task alone, then fails it with the reason', async ({
    pipeline,
  }) => {
    const [first, big, cyclic, last] = await pipeline.submit(probes('ok', 'bigint', 'cycle', 'ok'));
    pipeline.startWorker({ catalog: probeCatalog, batch: { timeoutMs: 300 } });

    for (const id of [first, last]) {
      expect(await committedRow(pipeline, id ?? '')).toMatchObject({ status: 'COMPLETED', attempts: 1 });
    }
    for (const id of [big, cyclic]) {
      expect(await committedRow(pipeline, id ?? '')).toEqual({
        status: 'FAILED',
        attempts: RETRY.maxRetries + 1,
        error: expect.stringMatching(/^the handler's result cannot be stored as JSON: /),
      });
    }
  });

  test('a commit error no retry can heal spends the tasks attempts and ends in the failed set, instead of postponing forever', async ({
    pipeline,
  }) => {
    await sql`
      CREATE FUNCTION refuse_batches() RETURNS trigger LANGUAGE plpgsql
        AS $$ BEGIN RAISE EXCEPTION 'batches are read-only here'; END $$;
      CREATE TRIGGER refuse BEFORE INSERT ON batches FOR EACH ROW EXECUTE FUNCTION refuse_batches();
    `.execute(pipeline.db);
    const ids = await pipeline.submit(probes('ok', 'ok'));
    pipeline.startWorker({ catalog: probeCatalog, batch: { timeoutMs: 300 } });

    for (const id of ids) {
      const job = await pipeline.failedJob(id);
      expect(job.attemptsMade).toBe(RETRY.maxRetries + 1);
      expect(job.failedReason).toMatch(/batches are read-only here/);
    }
    expect(await pipeline.committedCount()).toBe(0);
  });

  test('logs "task failed for good" for a task that fails permanently on its first attempt', async ({ pipeline }) => {
    const logger = createLogger({ component: 'worker', level: 'error' });
    const warn = vi.spyOn(logger, 'warn');
    const [id] = await pipeline.submit(probes('fail'));
    pipeline.startWorker({ catalog: probeCatalog, logger, batch: { timeoutMs: 100 } });

    expect((await pipeline.failedJob(id ?? '')).attemptsMade).toBe(1);
    await waitFor(() => warn.mock.calls.some(([message]) => (message as unknown) === 'task failed for good'), {
      what: 'the log line',
      timeoutMs: 5_000,
    });
    expect(warn).toHaveBeenCalledWith(
      'task failed for good',
      expect.objectContaining({ taskId: id, taskType: 'PROBE', attempts: 1, error: 'this can never work' }),
    );
  });
});

describe('a task run again after its lock was lost settles as its committed row says', () => {
  test('a job whose row is COMPLETED completes though this run says retry or fail; one whose row is FAILED fails with that row error', async ({
    pipeline,
  }) => {
    const [doneThenRetry, doneThenFail, failedThenDone, fresh] = await pipeline.submit(
      probes('retry', 'fail', 'ok', 'ok'),
    );
    // The first run's commit, by a worker that stalled past the lock and so never settled the jobs.
    // Its rows carry the jobs' own submittedAt, as every run's do: with the id, the row's key.
    const now = new Date();
    const job = await pipeline.queue.getJob(doneThenRetry ?? '');
    const submittedAt = new Date(job?.data.submittedAt ?? Number.NaN);
    const firstRun = (id: string | undefined, status: 'COMPLETED' | 'FAILED') => ({
      id: id ?? '',
      taskType: 'PROBE',
      payload: { answer: 'first run' },
      status,
      result: status === 'COMPLETED' ? { echo: 'first run' } : null,
      error: status === 'FAILED' ? 'failed on the first run' : null,
      attempts: 1,
      submittedAt,
      startedAt: now,
    });
    await createStore(pipeline.db).commitGroup({
      batch: {
        id: newId(),
        workerId: 'worker-that-lost-its-locks',
        taskType: 'PROBE',
        trigger: 'size',
        openedAt: now,
        flushedAt: now,
        handlerMs: 1,
        size: 3,
      },
      tasks: [
        firstRun(doneThenRetry, 'COMPLETED'),
        firstRun(doneThenFail, 'COMPLETED'),
        firstRun(failedThenDone, 'FAILED'),
      ],
    });
    const worker = pipeline.startWorker({ catalog: probeCatalog, batch: { timeoutMs: 300 } });
    const completed: string[] = [];
    worker.worker.on('completed', (job) => completed.push(job.id ?? ''));

    const failed = await pipeline.failedJob(failedThenDone ?? '');
    expect(failed.failedReason).toBe('failed on the first run');
    expect(failed.attemptsMade).toBe(1);
    await waitFor(() => completed.length === 3, { what: '3 jobs completed', timeoutMs: 30_000 });
    expect(completed.sort()).toEqual([doneThenRetry, doneThenFail, fresh].sort());
    expect(await pipeline.queue.getFailedCount()).toBe(1);
    expect(await rowOf(pipeline, doneThenRetry ?? '')).toMatchObject({ status: 'COMPLETED' });
    expect(await rowOf(pipeline, doneThenFail ?? '')).toMatchObject({ status: 'COMPLETED' });
    expect(await rowOf(pipeline, failedThenDone ?? '')).toMatchObject({ status: 'FAILED' });
    expect(await rowOf(pipeline, fresh ?? '')).toMatchObject({ status: 'COMPLETED' });
  });
});
