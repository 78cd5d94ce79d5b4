/**
 * The task module of the bench's task-types scenario, loaded through `SLUICE_TASKS` by its api
 * and worker as a user's own module would be: twenty task types, `EMAIL_01` to `EMAIL_20`, each
 * the demo EMAIL type under another name with no simulated provider call. The scenario submits
 * to `EMAIL_01` alone and to all twenty, so that both runs use the same module and handler.
 */
import { defineTaskType, demoTaskTypes, type TaskType } from '@sluice/tasks';

/** Task types of the "many" run: each its own group key, as issue 14 has user types do. */
export const BENCH_TASK_TYPE_COUNT = 20;

const email = demoTaskTypes({ failureRate: 0, workMs: 0 }).find((type) => type.name === 'EMAIL');
if (email === undefined) throw new Error('the demo task types have no EMAIL');

export const taskTypes: ReadonlyArray<TaskType> = Array.from({ length: BENCH_TASK_TYPE_COUNT }, (_, index) =>
  defineTaskType({ ...email, name: `EMAIL_${String(index + 1).padStart(2, '0')}` }),
);
