import { waitFor } from './wait-for.js';

/**
 * A task module as a user writes one, in a project of their own: one type, GREET, whose handler
 * answers `{ greeting: 'Hello, <name>!' }`. It imports `@sluice/tasks` and `zod`, so the project
 * holding it needs both (createOutsideProject's `packages`).
 */
export const GREET_TASK_MODULE = `import { defineTaskType } from '@sluice/tasks';
import { z } from 'zod';

export const taskTypes = [
  defineTaskType({
    name: 'GREET',
    payload: z.object({ name: z.string().min(1) }),
    handle: async (tasks) => tasks.map((task) => ({ ok: true, result: { greeting: 'Hello, ' + task.payload.name + '!' } })),
  }),
];
`;

/**
 * Submits one task to the api at `url` (expecting 202) and resolves to its view from
 * `GET /api/tasks/:id` once it is committed, COMPLETED or FAILED.
 *
 * @example
 * const task = await submitAndAwaitCommit(api.url, { taskType: 'GREET', payload: { name: 'Ada' } });
 * expect(task).toMatchObject({ status: 'COMPLETED' });
 */
export const submitAndAwaitCommit = async (
  url: string,
  task: { readonly taskType: string; readonly payload: unknown },
  timeoutMs = 30_000,
): Promise<Record<string, unknown>> => {
  const accepted = await fetch(`${url}/api/tasks`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(task),
  });
  if (accepted.status !== 202) throw new Error(`expected 202, got ${accepted.status}: ${await accepted.text()}`);
  const { id } = (await accepted.json()) as { id: string };
  return waitFor(
    async () => {
      const view = (await (await fetch(`${url}/api/tasks/${id}`)).json()) as Record<string, unknown>;
      return view.status === 'COMPLETED' || view.status === 'FAILED' ? view : undefined;
    },
    { what: `${task.taskType} task ${id} committed`, timeoutMs, intervalMs: 100 },
  );
};
