import { describe, expect } from 'vitest';
import { z } from 'zod';
import {
  createCatalog,
  defineTaskType,
  jobOptions,
  newParcelBase,
  retryParcelId,
  withParcelFields,
  type ParcelData,
  type TaskOutcome,
} from '@sluice/tasks';
import { waitFor } from '@sluice/testkit';
import { RETRY, test, type Pipeline } from './test-pipeline.js';

/** What a PROBE task answers, by its payload's `answer`, on each attempt. */
const answer = (name: string, attempt: number): TaskOutcome => {
  if (name === 'ok') return { ok: true, result: { attempt } };
  if (name === 'retry-once') {
    return attempt === 1 ? { ok: false, error: 'try again later', retry: true } : { ok: true, result: { attempt } };
  }
  if (name === 'retry') return { ok: false, error: 'still down', retry: true };
  return { ok: false, error: 'this can never work', retry: false };
};

const probeCatalog = createCatalog([
  defineTaskType({
    name: 'PROBE',
    payload: z.object({ answer: z.string(), n: z.number() }),
    handle: async (tasks) => tasks.map((task) => answer(task.payload.answer, task.attempt)),
  }),
]);

/** Puts one parcel of PROBE tasks on the queue, as the api does, and returns its job id and task ids. */
const submitParcel = async (pipeline: Pipeline, answers: ReadonlyArray<string>) => {
  const base = newParcelBase();
  const tasks = answers.map((name, n) => ({ id: withParcelFields(base, { index: n }), payload: { answer: name, n } }));
  const data: ParcelData = { submittedAt: Date.now(), tasks };
  await pipeline.queue.add('PROBE', data as never, { ...jobOptions(RETRY), jobId: base });
  return { jobId: base, ids: tasks.map((task) => task.id) };
};

const rowsOf = (pipeline: Pipeline, ids: ReadonlyArray<string>) =>
  pipeline.db
    .selectFrom('tasks')
    .select(['id', 'status', 'error', 'attempts', 'batch_id as batchId'])
    .where('id', 'in', [...ids])
    .execute();

const committed = (pipeline: Pipeline, ids: ReadonlyArray<string>, timeoutMs = 30_000) =>
  waitFor(
    async () => {
      const rows = await rowsOf(pipeline, ids);
      return rows.length === ids.length ? new Map(rows.map((row) => [row.id, row])) : undefined;
    },
    { what: `${ids.length} tasks committed`, timeoutMs },
  );

describe('a parcel: one job carrying many tasks', () => {
  test('its tasks are committed one row each, in one batch, and its job leaves the queue', async ({ pipeline }) => {
    const { jobId, ids } = await submitParcel(
      pipeline,
      Array.from({ length: 100 }, () => 'ok'),
    );
    pipeline.startWorker({ catalog: probeCatalog, batch: { size: 100, timeoutMs: 60_000 } });
    const rows = await committed(pipeline, ids);
    expect(new Set([...rows.values()].map((row) => row.status))).toEqual(new Set(['COMPLETED']));
    expect(new Set([...rows.values()].map((row) => row.batchId)).size).toBe(1);
    expect([...rows.values()].every((row) => row.attempts === 1)).toBe(true);
    // A full parcel is a full group at once: it never waited for the 60 s timeout.
    const batch = await pipeline.db.selectFrom('batches').select(['size', 'trigger']).executeTakeFirstOrThrow();
    expect(batch).toEqual({ size: 100, trigger: 'size' });
    await waitFor(async () => ((await pipeline.queue.getJob(jobId)) === undefined ? true : undefined), {
      what: 'the parcel job removed',
    });
  });

  test('the tasks that need another attempt leave together in a retry parcel named by the job and the attempt, with their errors; the rest settle now', async ({
    pipeline,
  }) => {
    const { jobId, ids } = await submitParcel(pipeline, ['ok', 'retry-once', 'fail', 'retry-once']);
    const [done, retried1, failed, retried2] = ids as [string, string, string, string];
    const retryId = retryParcelId(jobId, 2);
    pipeline.startWorker({ catalog: probeCatalog, batch: { size: 100, timeoutMs: 50 } });
    const first = await committed(pipeline, [done, failed]);
    expect(first.get(done)).toMatchObject({ status: 'COMPLETED', attempts: 1 });
    expect(first.get(failed)).toMatchObject({ status: 'FAILED', attempts: 1, error: 'this can never work' });
    const retry = await waitFor(() => pipeline.queue.getJob(retryId), { what: 'the retry parcel' });
    expect(retry.name).toBe('PROBE');
    expect(retry.data).toMatchObject({
      attempt: 2,
      tasks: [
        { id: retried1, payload: { answer: 'retry-once', n: 1 }, error: 'try again later' },
        { id: retried2, payload: { answer: 'retry-once', n: 3 }, error: 'try again later' },
      ],
    });
    // It waits the backoff of a first retry, and keeps the tasks' attempts left.
    expect(retry.opts).toMatchObject({ delay: RETRY.backoffDelayMs, attempts: RETRY.maxRetries });
    const second = await committed(pipeline, [retried1, retried2]);
    expect(second.get(retried1)).toMatchObject({ status: 'COMPLETED', attempts: 2 });
    expect(second.get(retried2)).toMatchObject({ status: 'COMPLETED', attempts: 2 });
    expect(await pipeline.queue.getJob(jobId)).toBeUndefined();
  });

  test('a parcel whose tasks all need another attempt is retried whole by BullMQ, with no retry parcel', async ({
    pipeline,
  }) => {
    const { jobId, ids } = await submitParcel(pipeline, ['retry-once', 'retry-once', 'retry-once']);
    pipeline.startWorker({ catalog: probeCatalog, batch: { size: 100, timeoutMs: 50 } });
    const rows = await committed(pipeline, ids);
    expect([...rows.values()].map((row) => [row.status, row.attempts])).toEqual([
      ['COMPLETED', 2],
      ['COMPLETED', 2],
      ['COMPLETED', 2],
    ]);
    expect(await pipeline.queue.getJob(retryParcelId(jobId, 2))).toBeUndefined();
  });

  test('a task that keeps failing goes through retry parcels until its attempts run out, then fails for good with a FAILED row', async ({
    pipeline,
  }) => {
    const { ids } = await submitParcel(pipeline, ['ok', 'retry']);
    const [done, doomed] = ids as [string, string];
    pipeline.startWorker({ catalog: probeCatalog, batch: { size: 100, timeoutMs: 50 } });
    const rows = await committed(pipeline, [done, doomed]);
    expect(rows.get(done)).toMatchObject({ status: 'COMPLETED', attempts: 1 });
    expect(rows.get(doomed)).toMatchObject({ status: 'FAILED', attempts: RETRY.maxRetries + 1, error: 'still down' });
  });

  test('a parcel whose tasks all fail for good lands in the failed set, their rows FAILED', async ({ pipeline }) => {
    const { jobId, ids } = await submitParcel(pipeline, ['fail', 'fail']);
    pipeline.startWorker({ catalog: probeCatalog, batch: { size: 100, timeoutMs: 50 } });
    const rows = await committed(pipeline, ids);
    expect([...rows.values()].every((row) => row.status === 'FAILED')).toBe(true);
    const job = await pipeline.failedJob(jobId);
    expect(job.failedReason).toBe('this can never work (and 1 more tasks of the parcel)');
  });

  test('a retry parcel already on the queue (a crash after adding it) is not added twice: its tasks run once more, not twice', async ({
    pipeline,
  }) => {
    const { jobId, ids } = await submitParcel(pipeline, ['ok', 'retry-once']);
    const [done, retried] = ids as [string, string];
    // As a run that crashed before the parcel completed left it: the retry parcel, far in the future.
    await pipeline.queue.add(
      'PROBE',
      {
        submittedAt: Date.now(),
        attempt: 2,
        tasks: [{ id: retried, payload: { answer: 'retry-once', n: 1 }, error: 'x' }],
      } as never,
      { ...jobOptions(RETRY), jobId: retryParcelId(jobId, 2), delay: 3_600_000 },
    );
    pipeline.startWorker({ catalog: probeCatalog, batch: { size: 100, timeoutMs: 50 } });
    await committed(pipeline, [done]);
    await waitFor(async () => ((await pipeline.queue.getJob(jobId)) === undefined ? true : undefined), {
      what: 'the parcel completed',
    });
    const retry = await pipeline.queue.getJob(retryParcelId(jobId, 2));
    expect(retry?.data).toMatchObject({ tasks: [{ error: 'x' }] });
    expect(await pipeline.queue.getDelayedCount()).toBe(1);
    expect(await rowsOf(pipeline, [retried])).toEqual([]);
  });
});
