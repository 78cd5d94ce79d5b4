import { createHash } from 'node:crypto';

/** What an Idempotency-Key header may hold: 1 to 255 visible ASCII characters. */
export const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

/**
 * The task id an idempotency key stands for: a version 8 (custom) UUID made from SHA-256 of the
 * key, so a retried request names the same task, and BullMQ (job id) and PostgreSQL (primary key)
 * both refuse to hold it twice. `index` tells apart the tasks of one bulk request.
 *
 * @example
 * taskIdForKey('order-1234'); // the same id every time, for every api replica
 * taskIdForKey('import-77', 3); // the fourth task of a bulk request sent with that key
 */
export const taskIdForKey = (key: string, index?: number): string => {
  const digest = createHash('sha256')
    .update(index === undefined ? `sluice:task:${key}` : `sluice:bulk:${key}:${index}`)
    .digest();
  digest[6] = ((digest[6] ?? 0) & 0x0f) | 0x80; // version 8
  digest[8] = ((digest[8] ?? 0) & 0x3f) | 0x80; // RFC 9562 variant
  const hex = digest.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
};

/** JSON text with object keys sorted, so two equal values compare equal whatever their key order. */
export const canonicalJson = (value: unknown): string =>
  JSON.stringify(value, (_key, inner: unknown) =>
    inner !== null && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : inner,
  );
