import type { z } from 'zod';

/** A JSON value: what a payload or a result can hold. */
export type Json = null | boolean | number | string | ReadonlyArray<Json> | { readonly [key: string]: Json };

/** One task as its handler sees it. */
export interface TaskInput<P> {
  readonly id: string;
  readonly payload: P;
  /** 1 on the first attempt, 2 on the first retry, … */
  readonly attempt: number;
  /** Attempts this task may have in all (BATCH_MAX_RETRIES + 1). */
  readonly maxAttempts: number;
  readonly submittedAt: Date;
}

/**
 * What a handler says of one task. `retry: false` fails the task at once; `retry: true` sends it
 * back through BullMQ's backoff unless this was its last attempt.
 */
export type TaskOutcome =
  | { readonly ok: true; readonly result?: Json }
  | { readonly ok: false; readonly error: string; readonly retry: boolean };

const kindOf = (value: unknown): string => {
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return 'an array';
  const type = typeof value;
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
};

/**
 * Why `value` is not a {@link TaskOutcome}, or `undefined` when it is one. A handler is user code,
 * and nothing holds it to its type at run time: the worker checks each outcome it answers, so
 * that one bad answer fails its own task rather than the group. The text completes "the handler
 * answered …".
 *
 * @example
 * outcomeProblem({ ok: true }); // undefined
 * outcomeProblem(null); // 'null, not an outcome'
 * outcomeProblem({ ok: false, error: 'x' }); // 'a malformed outcome: `retry` must be true or false when `ok` is false'
 */
export const outcomeProblem = (value: unknown): string | undefined => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return `${kindOf(value)}, not an outcome`;
  const outcome = value as Record<string, unknown>;
  if (outcome.ok === true) return undefined;
  if (outcome.ok !== false) return `a malformed outcome: \`ok\` must be true or false, got ${kindOf(outcome.ok)}`;
  if (typeof outcome.error !== 'string') {
    return `a malformed outcome: \`error\` must be a string when \`ok\` is false, got ${kindOf(outcome.error)}`;
  }
  if (typeof outcome.retry !== 'boolean') {
    return `a malformed outcome: \`retry\` must be true or false when \`ok\` is false, got ${kindOf(outcome.retry)}`;
  }
  return undefined;
};

/** Runs a whole group of one task type; returns one outcome per task, in the same order. */
export type BatchHandler<P> = (tasks: ReadonlyArray<TaskInput<P>>) => Promise<ReadonlyArray<TaskOutcome>>;

/** A task type: its name, the schema its payload must match, and its batch handler. */
export interface TaskType<S extends z.ZodType = z.ZodType> {
  readonly name: string;
  readonly payload: S;
  readonly handle: BatchHandler<z.output<S>>;
  /** A sample payload for the load generator (`POST /api/tasks/batch {count}`), given a sequence number. */
  readonly sample: (n: number) => z.input<S>;
}

/** Task type names: upper-case words, as the seed's EMAIL, SMS and PUSH. */
export const TASK_TYPE_NAME = /^[A-Z][A-Z0-9_]{0,63}$/;

/**
 * Declares a task type; the handler's payload type is inferred from the schema.
 *
 * @example
 * const ping = defineTaskType({
 *   name: 'PING',
 *   payload: z.object({ host: z.string() }),
 *   sample: (n) => ({ host: `host-${n}` }),
 *   handle: async (tasks) => tasks.map(() => ({ ok: true })),
 * });
 */
export const defineTaskType = <S extends z.ZodType>(type: TaskType<S>): TaskType<S> => {
  if (!TASK_TYPE_NAME.test(type.name)) {
    throw new Error(`Task type name ${JSON.stringify(type.name)} must match ${TASK_TYPE_NAME}`);
  }
  return Object.freeze(type);
};
