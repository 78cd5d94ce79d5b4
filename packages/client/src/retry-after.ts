/** An HTTP-date as RFC 9110 §5.6.7 has it: IMF-fixdate, or the obsolete RFC 850 form; both end in GMT. */
const HTTP_DATE = /^[A-Za-z]{3,9}, [0-9A-Za-z -]+ \d\d:\d\d:\d\d GMT$/;

/**
 * How long a `Retry-After` header asks to wait, in ms: delay-seconds or an HTTP-date (RFC 9110
 * §10.2.3); `undefined` when the header is absent or is neither. A date in the past is 0.
 * `Date.parse` alone is not trusted with the text: it reads `"5.5"` as a day in 2001.
 *
 * @example
 * parseRetryAfter('5', Date.now()); // 5000
 * parseRetryAfter('Wed, 21 Oct 2015 07:28:05 GMT', Date.parse('Wed, 21 Oct 2015 07:28:00 GMT')); // 5000
 * parseRetryAfter('soon', Date.now()); // undefined
 */
export const parseRetryAfter = (header: string | null, now: number): number | undefined => {
  if (header === null) return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1_000;
  if (!HTTP_DATE.test(text)) return undefined;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
};
