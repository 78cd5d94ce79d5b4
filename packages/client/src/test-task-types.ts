import { defineTaskType } from '@sluice/tasks';
import { z } from 'zod';

/**
 * The task types the specs run an api and a worker with, and type their clients with. GREET
 * fails for good when asked to; RESIZE has a field with a default, so its input type (what a
 * client sends) differs from its output type (what the handler gets).
 */
export const taskTypes = [
  defineTaskType({
    name: 'GREET',
    payload: z.object({ name: z.string().min(1), fail: z.literal('permanent').optional() }),
    handle: async (tasks) =>
      tasks.map((task) =>
        task.payload.fail === 'permanent'
          ? { ok: false, error: `cannot greet ${task.payload.name}`, retry: false }
          : { ok: true, result: { greeting: `Hello, ${task.payload.name}!` } },
      ),
  }),
  defineTaskType({
    name: 'RESIZE',
    payload: z.object({ url: z.url(), width: z.int().min(1).default(800) }),
    handle: async (tasks) => tasks.map((task) => ({ ok: true, result: { width: task.payload.width } })),
  }),
];
