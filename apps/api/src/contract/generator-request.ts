import { z } from 'zod';
import type { Catalog } from '@sluice/tasks';
import { MAX_GENERATED_TASKS, MAX_GENERATOR_TYPES } from './limits.js';

/**
 * The task types the load generator can make: those with a `sample`. A user's task type need not
 * have one, and then cannot be named in `taskTypes`.
 */
export const sampledTypes = (catalog: Catalog): ReadonlyArray<string> =>
  catalog.names.filter((name) => catalog.get(name)?.sample !== undefined);

/**
 * `POST /api/tasks/batch {count, taskTypes}`, for one catalog: `taskTypes` holds only the types
 * with a sample, so the schema the route checks with is the one the OpenAPI document shows. Build
 * it once per catalog, not per request.
 *
 * @example
 * const generator = generatorRequest(catalog);
 * generator.safeParse({ count: 500, taskTypes: ['EMAIL', 'SMS'] }).success; // true
 */
export const generatorRequest = (catalog: Catalog) => {
  const [first, ...rest] = sampledTypes(catalog);
  const taskTypes = z
    .array(first === undefined ? z.never() : z.enum([first, ...rest]))
    .min(1)
    .max(MAX_GENERATOR_TYPES)
    .describe(
      'Task types to make tasks of, round-robin; a repeat weights its type. Left out: every type with a sample payload.',
    );
  return z
    .strictObject({
      count: z.int().min(1).max(MAX_GENERATED_TASKS).describe('How many tasks to make.'),
      // With no type to fall back on, leaving the list out is no answer either: it is required,
      // and no list can be valid.
      taskTypes: first === undefined ? taskTypes : taskTypes.optional(),
    })
    .describe(
      "Makes `count` demo tasks from the types' sample payloads, enqueued 1,000 at a time; none is enqueued unless all fit under QUEUE_HIGH_WATER.",
    );
};
