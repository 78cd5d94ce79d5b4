import { createHash } from 'node:crypto';

/** What an Idempotency-Key header may hold: 1 to 255 visible ASCII characters. */
export const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

/** A version 8 (custom) UUID made from SHA-256 of `text`. Exported for keyed-parcels.ts, not from the package. */
export const uuidOf = (text: string): string => {
  const digest = createHash('sha256').update(text).digest();
  digest[6] = ((digest[6] ?? 0) & 0x0f) | 0x80; // version 8
  digest[8] = ((digest[8] ?? 0) & 0x3f) | 0x80; // RFC 9562 variant
  const hex = digest.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
};

/**
 * The caller an API key stands for in idempotency ids (and the rate limiter's Redis keys): a
 * hash prefix that names the key without revealing it, the same on every api replica and in
 * createEnqueuer, so a key's submissions share one key space whichever way they come.
 */
export const callerOfApiKey = (apiKey: string): string =>
  `key:${createHash('sha256').update(apiKey).digest('hex').slice(0, 16)}`;

type Kind = 'task' | 'bulk' | 'bulk-last';

/**
 * What is hashed into a keyed task id. Without a caller, a single task and the tasks of a bulk
 * request before its last keep the texts ids were made from before callers counted, so a replay
 * that spans an upgrade still names the same tasks. Everything else is a JSON array, which no key
 * can forge (a key may hold `:`), under a prefix the old texts never start with.
 */
const idText = (kind: Kind, key: string, caller: string | undefined, index?: number): string => {
  if (caller === undefined && kind === 'task') return `sluice:task:${key}`;
  if (caller === undefined && kind === 'bulk') return `sluice:bulk:${key}:${index}`;
  return `sluice:v2:${JSON.stringify([kind, caller ?? null, key, index ?? null])}`;
};

/**
 * The task id an idempotency key stands for, for one caller: a version 8 UUID made from SHA-256
 * of the caller and the key, so a retried request names the same task, BullMQ (job id) and
 * PostgreSQL (primary key) both refuse to hold it twice, and two callers who happen to pick one
 * key name two tasks. `caller` is what identifies the client, e.g. the hash of its API key;
 * leave it out when every caller is one (an api without API keys).
 *
 * @example
 * taskIdForKey('order-1234'); // the same id every time, for every api replica
 * taskIdForKey('order-1234', 'key:3f1c0a9e27b4d615'); // another task: that client's order-1234
 */
export const taskIdForKey = (key: string, caller?: string): string => uuidOf(idText('task', key, caller));

/** The ids of a bulk request sent with an idempotency key; see {@link bulkTaskIdsForKey}. */
export interface BulkTaskIds {
  /** The request's task ids, in request order. */
  readonly own: ReadonlyArray<string>;
  /**
   * Ids that exist only if the key was first used for a request with another number of tasks:
   * the last-task id of every earlier position, and the not-last id of the last position.
   */
  readonly foreign: ReadonlyArray<string>;
}

/**
 * The task ids of a bulk request of `count` tasks sent with `key` by `caller`. Each task's id
 * comes from the key and its position, and the last task's from a kind of its own, so the tasks
 * themselves remember where the request ended: a committed row or a queued job is enough to tell
 * that a re-send with fewer or more tasks is another body, with no record kept beside them.
 *
 * @example
 * const { own, foreign } = bulkTaskIdsForKey('import-77', 3);
 * // own[2] is the third (last) task; a job or row under any id of `foreign` means the key was
 * // first sent with another number of tasks.
 */
export const bulkTaskIdsForKey = (key: string, count: number, caller?: string): BulkTaskIds => {
  if (!Number.isInteger(count) || count < 1)
    throw new RangeError(`count must be a whole number of at least 1, got ${count}`);
  const own: string[] = [];
  const foreign: string[] = [];
  for (let index = 0; index < count; index += 1) {
    const inner = uuidOf(idText('bulk', key, caller, index));
    const last = uuidOf(idText('bulk-last', key, caller, index));
    own.push(index === count - 1 ? last : inner);
    foreign.push(index === count - 1 ? inner : last);
  }
  return { own, foreign };
};

/** JSON text with object keys sorted, so two equal values compare equal whatever their key order. */
export const canonicalJson = (value: unknown): string =>
  JSON.stringify(value, (_key, inner: unknown) =>
    inner !== null && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : inner,
  );
