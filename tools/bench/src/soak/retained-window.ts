import type { SampledTask } from './task-sample.js';

/**
 * The submission time (epoch ms) after which a task must still be readable at `nowMs`. A
 * partition is dropped once all of it is older than the retention, so every task younger than
 * the retention is kept; one interval of margin on top covers a maintainer that runs late and
 * the clocks of the run and PostgreSQL not quite agreeing.
 *
 * @example
 * retainedSince(Date.parse('2025-01-01T00:10:00Z'), 120, 60); // 00:09:00: tasks younger than 2m − 1m
 */
export const retainedSince = (nowMs: number, retentionSeconds: number, intervalSeconds: number): number =>
  nowMs - (retentionSeconds - intervalSeconds) * 1000;

/**
 * At most `max` of `tasks`, spread evenly from the first to the last: what the check reads when
 * the sample holds more than it should ask the api for.
 *
 * @example
 * spreadPick(['a', 'b', 'c', 'd', 'e'], 3); // ['a', 'c', 'e']
 */
export const spreadPick = <T>(tasks: ReadonlyArray<T>, max: number): ReadonlyArray<T> => {
  if (tasks.length <= max) return tasks;
  if (max <= 1) return tasks.slice(0, max);
  const step = (tasks.length - 1) / (max - 1);
  return Array.from({ length: max }, (_, index) => tasks[Math.round(index * step)] as T);
};

/**
 * The sampled tasks the retained-task check reads: those submitted since {@link retainedSince},
 * at most `max` of them.
 *
 * @example
 * tasksToCheck(sample.tasks(), { nowMs: Date.now(), retentionSeconds: 120, intervalSeconds: 60, max: 5_000 });
 */
export const tasksToCheck = (
  tasks: ReadonlyArray<SampledTask>,
  window: {
    readonly nowMs: number;
    readonly retentionSeconds: number;
    readonly intervalSeconds: number;
    readonly max: number;
  },
): { readonly since: number; readonly eligible: number; readonly picked: ReadonlyArray<SampledTask> } => {
  const since = retainedSince(window.nowMs, window.retentionSeconds, window.intervalSeconds);
  const eligible = tasks.filter((task) => task.submittedAt > since);
  return { since, eligible: eligible.length, picked: spreadPick(eligible, window.max) };
};
