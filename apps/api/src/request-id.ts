import { randomUUID } from 'node:crypto';

/** The header a caller (or a proxy in front) may set, and that every answer carries back. */
export const REQUEST_ID_HEADER = 'X-Request-Id';

/**
 * Ids we take from the caller: up to 128 letters, digits and `._:@+=/-`, which covers UUIDs,
 * trace ids and the ids of common proxies. Anything else (spaces, quotes, control characters, a
 * repeated header joined with commas) would make log lines ambiguous or unbounded: we replace it.
 */
const SANE_ID = /^[A-Za-z0-9._:@+=/-]{1,128}$/;

/**
 * The request id for a request: the caller's `X-Request-Id` when it is a sane token, else a new
 * random UUID.
 *
 * @example
 * requestIdFrom('req-42'); // 'req-42'
 * requestIdFrom('two words'); // '0f3c…' (generated)
 */
export const requestIdFrom = (header: string | undefined): string =>
  header !== undefined && SANE_ID.test(header) ? header : randomUUID();
