import { describe, expect, it } from 'vitest';
import { checkJob, isUuid, jobOptions } from '@sluice/tasks';
import { jobsOfTasks } from './bullmq-load.js';
import { sampleTaskOf } from './sample-tasks.js';

describe('jobsOfTasks', () => {
  const opts = jobOptions({ maxRetries: 3, backoffDelayMs: 1_000 });
  const tasks = [sampleTaskOf('EMAIL', 0), sampleTaskOf('EMAIL', 1)];

  it('makes a job per task, named by its type, with the data and options a single submission gets', () => {
    const jobs = jobsOfTasks(tasks, 1_700_000_000_000, opts);
    expect(jobs).toEqual(
      tasks.map((task) => ({
        name: 'EMAIL',
        data: { payload: task.payload, submittedAt: 1_700_000_000_000 },
        opts: {
          attempts: 4,
          backoff: { type: 'exponential', delay: 1_000 },
          removeOnComplete: true,
          removeOnFail: { age: 604_800, count: 10_000 },
        },
      })),
    );
  });

  it('gives data a Sluice worker reads as one task, not a parcel', () => {
    const [job] = jobsOfTasks(tasks, 1_700_000_000_000, opts);
    const checked = checkJob('0193a3b4-5c6d-7e8f-9a0b-1c2d3e4f5a6b', job?.data);
    expect(checked).toMatchObject({ ok: true, parcel: false, tasks: [{ payload: tasks[0]?.payload }] });
  });

  it('sets no job id, so BullMQ numbers the jobs', () => {
    expect(jobsOfTasks(tasks, 0, opts).map((job) => job.opts.jobId)).toEqual([undefined, undefined]);
  });

  it('gives each job a task id of its own when asked, for a worker that keys its row by it', () => {
    const ids = jobsOfTasks(tasks, 1_700_000_000_000, opts, 'task').map((job) => job.opts.jobId ?? '');
    expect(ids.every(isUuid)).toBe(true);
    expect(new Set(ids).size).toBe(2);
    expect(ids[0]?.slice(0, 13)).toBe('018bcfe5-6800');
  });
});
