import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { bulkJobs, keyedBulkJobs } from './bulk-jobs.js';
import { createCatalog } from './catalog.js';
import { checkJob } from './job-data.js';
import { parcelFields, parcelJobIdOf } from './parcel-id.js';
import { defineTaskType } from './task-type.js';

const handle = async (tasks: ReadonlyArray<unknown>) => tasks.map(() => ({ ok: true as const }));
const catalog = createCatalog([
  defineTaskType({ name: 'EMAIL', payload: z.object({ to: z.string() }), batch: { size: 2 }, handle }),
  defineTaskType({
    name: 'HOOK',
    payload: z.object({ customer: z.string() }),
    groupBy: (payload) => payload.customer,
    handle,
  }),
]);
const email = (to: string) => ({ taskType: 'EMAIL', payload: { to } });
const hook = (customer: string) => ({ taskType: 'HOOK', payload: { customer } });
const opts = { attempts: 4 };

describe('bulkJobs', () => {
  it("cuts a bulk request into parcels of its types' batch sizes and answers each task's id in request order", () => {
    const submissions = [email('a'), hook('acme'), email('b'), email('c'), hook('acme'), hook('globex')];
    const submittedAt = Date.now();
    const { jobs, ids, extraTasks } = bulkJobs(catalog, submissions, { submittedAt, defaultBatchSize: 100, opts });

    // EMAIL [a, b] and [c], HOOK acme [1, 4], HOOK globex [5]: a parcel of one is a job of its own.
    expect(jobs.map((job) => [job.name, job.data])).toEqual([
      [
        'EMAIL',
        {
          submittedAt,
          tasks: [
            { id: ids[0], payload: { to: 'a' } },
            { id: ids[2], payload: { to: 'b' } },
          ],
        },
      ],
      ['EMAIL', { payload: { to: 'c' }, submittedAt }],
      [
        'HOOK',
        {
          submittedAt,
          key: 'acme',
          tasks: [
            { id: ids[1], payload: { customer: 'acme' } },
            { id: ids[4], payload: { customer: 'acme' } },
          ],
        },
      ],
      ['HOOK', { payload: { customer: 'globex' }, submittedAt }],
    ]);
    expect(jobs.map((job) => job.opts.jobId)).toEqual([
      parcelJobIdOf(ids[0] ?? ''),
      ids[3],
      parcelJobIdOf(ids[1] ?? ''),
      ids[5],
    ]);
    expect(jobs.every((job) => job.opts.attempts === 4)).toBe(true);
    expect(extraTasks).toBe(2);
  });

  it('gives a parcel job the id of its first task and its tasks their index, and every job passes checkJob', () => {
    const submissions = [email('a'), email('b')];
    const { jobs, ids } = bulkJobs(catalog, submissions, { submittedAt: 1_000, defaultBatchSize: 100, opts });
    expect(ids.map((id) => parcelFields(id).index)).toEqual([0, 1]);
    expect(jobs[0]?.opts.jobId).toBe(ids[0]);
    // UUIDv7s of the submission's time, so they sort by time like single tasks' ids.
    expect(ids.every((id) => id.startsWith('00000000-03e8-7'))).toBe(true);
    for (const job of jobs) expect(checkJob(job.opts.jobId, job.data)).toMatchObject({ ok: true });
  });
});

describe('keyedBulkJobs', () => {
  const submissions = [email('a'), hook('acme'), email('b'), email('c'), hook('acme')];
  const keyed = () =>
    keyedBulkJobs(catalog, submissions, { key: 'import-9', caller: undefined, defaultBatchSize: 100, opts });

  it('names the same tasks and parcel jobs for the same body and key, and enqueues every task under its parcel job', () => {
    const { ids, jobsFor } = keyed();
    expect(keyed().ids).toEqual(ids);
    const { jobs, extraTasks } = jobsFor([0, 1, 2, 3, 4], 7);
    // EMAIL [a, b] and [c], HOOK acme [1, 4]: even a parcel of one is a parcel job, named as the plan names it.
    expect(jobs.map((job) => [job.name, job.opts.jobId, job.data.tasks.map((task) => task.id)])).toEqual([
      ['EMAIL', ids.jobIds[0], [ids.own[0], ids.own[2]]],
      ['EMAIL', ids.jobIds[1], [ids.own[3]]],
      ['HOOK', ids.jobIds[2], [ids.own[1], ids.own[4]]],
    ]);
    expect(extraTasks).toBe(2);
    for (const [position, id] of ids.own.entries()) {
      const size = submissions[position]?.taskType === 'EMAIL' ? 2 : 100;
      expect(ids.jobIds).toContain(parcelJobIdOf(id, size));
    }
    for (const job of jobs) expect(checkJob(job.opts.jobId, job.data)).toMatchObject({ ok: true });
  });

  it('enqueues only the missing tasks, each in the job of the parcel it belongs to', () => {
    const { ids, jobsFor } = keyed();
    const { jobs } = jobsFor([3, 4], 7);
    expect(jobs.map((job) => [job.opts.jobId, job.data.tasks.map((task) => task.id)])).toEqual([
      [ids.jobIds[1], [ids.own[3]]],
      [ids.jobIds[2], [ids.own[4]]],
    ]);
    expect(jobs[1]?.data).toMatchObject({ key: 'acme', submittedAt: 7 });
  });
});
