/**
 * `text` with every NUL character replaced by U+FFFD (the replacement character). PostgreSQL
 * cannot store NUL in `text` (22021) or as `\u0000` in `jsonb` (22P05), so anything the store
 * composes itself, an error message say, goes through this before it is written.
 *
 * @example
 * withoutNul('a\u0000b'); // 'a\uFFFDb'
 */
export const withoutNul = (text: string): string => text.replaceAll('\u0000', '\uFFFD');
