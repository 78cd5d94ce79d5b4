import type { FlushTrigger } from '@sluice/batching';
import type { z } from 'zod';
import { kindOf } from './kind-of.js';

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

/**
 * The logger a handler is given: the worker's own, with the group's task type, group key and
 * batch id on every line. The smallest interface it needs, so a handler can be tested with
 * `console` or a stub.
 */
export interface TaskLogger {
  error(message: string, fields?: Readonly<Record<string, unknown>>): unknown;
  warn(message: string, fields?: Readonly<Record<string, unknown>>): unknown;
  info(message: string, fields?: Readonly<Record<string, unknown>>): unknown;
  debug(message: string, fields?: Readonly<Record<string, unknown>>): unknown;
}

/** What a handler learns about the group it runs, besides its tasks. */
export interface HandlerContext {
  /**
   * Aborts when the worker's shutdown grace (`SHUTDOWN_GRACE_MS`) is running out: pass it to
   * `fetch` and the like, and answer `{ ok: false, retry: true }` for what is left, so the group
   * still commits and those tasks go back to the queue instead of waiting out a lock.
   */
  readonly signal: AbortSignal;
  readonly logger: TaskLogger;
  readonly group: {
    /** The `groupBy` key every task of this group shares; `null` for a type without `groupBy`. */
    readonly key: string | null;
    /** Why the group was released: it filled up, waited long enough, under pressure, or a shutdown. */
    readonly trigger: FlushTrigger;
  };
}

/**
 * Runs a whole group of one task type (and one `groupBy` key); returns one outcome per task, in
 * the same order.
 */
export type BatchHandler<P> = (
  tasks: ReadonlyArray<TaskInput<P>>,
  context: HandlerContext,
) => Promise<ReadonlyArray<TaskOutcome>>;

/** Group limits of one task type, instead of the worker's `BATCH_SIZE` and `BATCH_TIMEOUT_MS`. */
export interface BatchSettings {
  /** Tasks per group, a whole number ≥ 1. Default `BATCH_SIZE`. */
  readonly size?: number;
  /** Longest wait of a group's first task before release, in ms, a whole number ≥ 0. Default `BATCH_TIMEOUT_MS`. */
  readonly timeoutMs?: number;
}

/** A row for the user's own table, by column name: PostgreSQL maps each JSON value to its column's type. */
export type SinkRow = Readonly<Record<string, unknown>>;

/**
 * The user's own table a task type writes rows to, in the transaction (and the statement) that
 * commits the group's task rows, and only for tasks whose row that commit newly writes: exactly
 * once per completed task, even into a table with no unique key.
 */
export interface TaskSink<P> {
  /**
   * `table` or `schema.table`, as PostgreSQL names it: each part is quoted, so it is matched as
   * written (an unquoted `CREATE TABLE PageViews` is `pageviews`). Each part matches
   * {@link SQL_IDENTIFIER}. The table is the user's, created by the user's own migration.
   */
  readonly table: string;
  /**
   * The rows a completed task writes (none, one or many). Each row names the columns it sets;
   * a column it leaves out takes its default. Values are JSON values (a `Date` becomes its ISO
   * text), cast to the column's type by PostgreSQL (`jsonb_populate_record`): a number into an
   * `integer`, an ISO text into a `timestamptz`, an object into a `jsonb`. A row PostgreSQL
   * refuses (a NOT NULL or CHECK violation, a text that is not a number) fails its task for
   * good with the database's message; the rest of the group lands.
   */
  readonly rows: (task: TaskInput<P>, result: Json) => ReadonlyArray<SinkRow>;
}

/**
 * A task type: its name, the schema its payload must match, and its batch handler. `N` keeps the
 * name as a literal type, so that `typeof taskTypes` tells a typed client (`@sluice/client`) which
 * payload each name takes.
 */
export interface TaskType<S extends z.ZodType = z.ZodType, N extends string = string> {
  readonly name: N;
  readonly payload: S;
  readonly handle: BatchHandler<z.output<S>>;
  /**
   * A sample payload for the load generator (`POST /api/tasks/batch {count}`), given a sequence
   * number. Without it the generator answers 422 for this type.
   */
  readonly sample?: (n: number) => z.input<S>;
  /** This type's group size and timeout, instead of the worker's. */
  readonly batch?: BatchSettings;
  /**
   * Splits this type's tasks into groups by a key of the payload (a tenant, a customer): a group
   * never mixes keys, and its batch row records the key (`batches.group_key`). Called once per
   * task as it arrives, with the payload as the schema outputs it; keep it cheap and pure. A
   * throw, or an answer that is not a string free of NUL characters, fails that task's attempt.
   */
  readonly groupBy?: (payload: z.output<S>) => string;
  /** Rows for the user's own table, written exactly once per completed task; see {@link TaskSink}. */
  readonly sink?: TaskSink<z.output<S>>;
}

/** Task type names: upper-case words, as the seed's EMAIL, SMS and PUSH. */
export const TASK_TYPE_NAME = /^[A-Z][A-Z0-9_]{0,63}$/;

/** One part of a sink's table name: an unquoted-style SQL identifier, at most 63 characters. */
export const SQL_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

const isWholeAtLeast = (value: unknown, least: number): boolean =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= least;

/**
 * Why the optional fields of a task type are wrong (`batch`, `groupBy`, `sink`, `sample`), or
 * `undefined` when they are fine. The text names the field. Checked by shape, so it can judge a
 * task type made by another copy of this package.
 *
 * @example
 * taskTypeOptionsProblem({ batch: { size: 0 } }); // '`batch.size` must be a whole number ≥ 1, got 0'
 */
export const taskTypeOptionsProblem = (type: Readonly<Record<string, unknown>>): string | undefined => {
  const { sample, batch, groupBy, sink } = type;
  if (sample !== undefined && typeof sample !== 'function')
    return `\`sample\` must be a function, got ${kindOf(sample)}`;
  if (batch !== undefined) {
    if (typeof batch !== 'object' || batch === null || Array.isArray(batch)) {
      return `\`batch\` must be an object { size?, timeoutMs }, got ${kindOf(batch)}`;
    }
    const { size, timeoutMs } = batch as Record<string, unknown>;
    if (size !== undefined && !isWholeAtLeast(size, 1))
      return `\`batch.size\` must be a whole number ≥ 1, got ${String(size)}`;
    if (timeoutMs !== undefined && !isWholeAtLeast(timeoutMs, 0)) {
      return `\`batch.timeoutMs\` must be a whole number ≥ 0, got ${String(timeoutMs)}`;
    }
  }
  if (groupBy !== undefined && typeof groupBy !== 'function')
    return `\`groupBy\` must be a function, got ${kindOf(groupBy)}`;
  if (sink !== undefined) {
    if (typeof sink !== 'object' || sink === null || Array.isArray(sink)) {
      return `\`sink\` must be an object { table, rows }, got ${kindOf(sink)}`;
    }
    const { table, rows } = sink as Record<string, unknown>;
    const parts = typeof table === 'string' ? table.split('.') : [];
    if (parts.length < 1 || parts.length > 2 || !parts.every((part) => SQL_IDENTIFIER.test(part))) {
      return `\`sink.table\` must be a table name or schema.table, each part matching ${SQL_IDENTIFIER}, got ${JSON.stringify(table)}`;
    }
    if (typeof rows !== 'function') return `\`sink.rows\` must be a function, got ${kindOf(rows)}`;
  }
  return undefined;
};

/**
 * Declares a task type; the handler's payload type is inferred from the schema.
 *
 * @throws {Error} naming the field, for a name that does not match {@link TASK_TYPE_NAME} or an
 *   optional field of the wrong shape (see {@link taskTypeOptionsProblem}).
 *
 * @example
 * const ping = defineTaskType({
 *   name: 'PING',
 *   payload: z.object({ host: z.string(), tenant: z.string() }),
 *   sample: (n) => ({ host: `host-${n}`, tenant: 'acme' }),
 *   batch: { size: 50 },
 *   groupBy: (payload) => payload.tenant,
 *   sink: {
 *     table: 'monitoring.pings', // created by your own migration
 *     rows: (task, result) => [{ task_id: task.id, host: task.payload.host, answer: result }],
 *   },
 *   handle: async (tasks, { signal }) => {
 *     const answers = await pingAll(tasks.map((task) => task.payload.host), { signal });
 *     return answers.map((answer) => ({ ok: true, result: answer }));
 *   },
 * });
 */
export const defineTaskType = <S extends z.ZodType, const N extends string>(type: TaskType<S, N>): TaskType<S, N> => {
  if (!TASK_TYPE_NAME.test(type.name)) {
    throw new Error(`Task type name ${JSON.stringify(type.name)} must match ${TASK_TYPE_NAME}`);
  }
  const problem = taskTypeOptionsProblem(type as unknown as Readonly<Record<string, unknown>>);
  if (problem !== undefined) throw new Error(`Task type ${type.name}: ${problem}`);
  return Object.freeze(type);
};
