import type { Catalog } from './catalog.js';
import type { TaskType } from './task-type.js';

/**
 * Between a task type and its `groupBy` key in a batcher key. A type name never holds NUL
 * (`TASK_TYPE_NAME`), so the first NUL always ends the type, and the key after it may be any
 * text PostgreSQL can store (which holds no NUL either: `groupByKey` refuses one).
 */
const SEPARATOR = '\u0000';

/** A task's `groupBy` key, or why there is none. */
export type GroupByAnswer =
  | { readonly ok: true; readonly key: string }
  | { readonly ok: false; readonly problem: string };

/**
 * What `type.groupBy` says of a raw payload: the payload is parsed by the type's schema first,
 * as the handler will see it. A payload the schema refuses has no key (the group processor fails
 * its task for that, with the schema's message); nor has a throw or an answer that is not a
 * string free of NUL. Only for a type with `groupBy`.
 */
export const groupByKey = (type: TaskType, payload: unknown): GroupByAnswer => {
  const parsed = type.payload.safeParse(payload);
  if (!parsed.success) return { ok: false, problem: 'its payload does not match the schema' };
  let key: unknown;
  try {
    key = type.groupBy?.(parsed.data);
  } catch (error) {
    return { ok: false, problem: `groupBy threw: ${error instanceof Error ? error.message : String(error)}` };
  }
  if (typeof key !== 'string') return { ok: false, problem: `groupBy answered ${typeof key}, not a string` };
  if (key.includes(SEPARATOR)) return { ok: false, problem: 'groupBy answered a key holding a NUL character' };
  return { ok: true, key };
};

/**
 * The batcher key of a job: its task type, or for a type with `groupBy`, the type and the
 * task's key (`EMAIL` or `EMAIL\u0000acme`), so a group never mixes keys. A task whose key
 * cannot be had goes to the type's own keyless group, where the group processor fails its
 * attempt and says why. A job whose name is no known type keeps its name, and fails there too.
 *
 * @example
 * batcherKey(catalog, 'WEBHOOK', { customer: 'acme', url }); // 'WEBHOOK\u0000acme'
 */
export const batcherKey = (catalog: Catalog, taskType: string, payload: unknown): string => {
  const type = catalog.get(taskType);
  if (type?.groupBy === undefined) return taskType;
  const answer = groupByKey(type, payload);
  return answer.ok ? `${taskType}${SEPARATOR}${answer.key}` : taskType;
};

/**
 * The batcher key of a parcel: its task type, and for a type with `groupBy`, the key the api
 * found for every task of it when it cut the parcel (`undefined` when `groupBy` gave none). The
 * worker does not ask `groupBy` again: the parcel's tasks travel together whatever it would say.
 */
export const parcelBatcherKey = (catalog: Catalog, taskType: string, key: string | undefined): string =>
  catalog.get(taskType)?.groupBy === undefined || key === undefined ? taskType : `${taskType}${SEPARATOR}${key}`;

/** A batcher key read back: the task type, and the `groupBy` key or `null`. */
export interface ParsedKey {
  readonly taskType: string;
  readonly groupKey: string | null;
}

/**
 * The task type and `groupBy` key of a batcher key made by {@link batcherKey}. A key whose part
 * before the NUL is not a type with `groupBy` is read whole as a type name (an unknown one).
 */
export const parseBatcherKey = (catalog: Catalog, key: string): ParsedKey => {
  const separator = key.indexOf(SEPARATOR);
  if (separator < 0) return { taskType: key, groupKey: null };
  const taskType = key.slice(0, separator);
  return catalog.get(taskType)?.groupBy === undefined
    ? { taskType: key, groupKey: null }
    : { taskType, groupKey: key.slice(separator + 1) };
};
