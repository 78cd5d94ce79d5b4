import type { Queue } from 'bullmq';
import type { Kysely } from 'kysely';
import type { Database } from '@sluice/store';
import { createDemoCatalog, jobOptions, newId, type JobData, type RetrySettings } from '@sluice/tasks';

export interface DemoTask {
  readonly taskType: string;
  readonly payload: unknown;
}

/** `count` valid demo tasks, round-robin over `types`. */
export const demoTasks = (count: number, types: ReadonlyArray<string> = ['EMAIL', 'SMS', 'PUSH']): DemoTask[] => {
  const catalog = createDemoCatalog({ failureRate: 0, workMs: 0 });
  return Array.from({ length: count }, (_, n) => {
    const taskType = types[n % types.length] ?? 'EMAIL';
    const type = catalog.get(taskType);
    if (type?.sample === undefined) throw new Error(`demoTasks: ${taskType} is not a demo task type`);
    return { taskType, payload: type.sample(n) };
  });
};

/** Enqueues tasks exactly as the api does (job name = type, job id = UUIDv7), returning the ids. */
export const submitTasks = async (
  queue: Queue<JobData>,
  tasks: ReadonlyArray<DemoTask>,
  retry: RetrySettings,
): Promise<string[]> => {
  const submittedAt = Date.now();
  const jobs = tasks.map((task) => ({
    name: task.taskType,
    data: { payload: task.payload, submittedAt },
    opts: { ...jobOptions(retry), jobId: newId(submittedAt) },
  }));
  for (let i = 0; i < jobs.length; i += 1_000) await queue.addBulk(jobs.slice(i, i + 1_000));
  return jobs.map((job) => job.opts.jobId);
};

export const countRows = async (db: Kysely<Database>, table: 'tasks' | 'batches' = 'tasks'): Promise<number> =>
  Number(
    (
      await db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );
