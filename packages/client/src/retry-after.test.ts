import { describe, expect, it } from 'vitest';
import { parseRetryAfter } from './retry-after.js';

const now = Date.parse('2026-03-01T12:00:00Z');

describe('parseRetryAfter', () => {
  it('reads delay-seconds as milliseconds', () => {
    expect(parseRetryAfter('5', now)).toBe(5_000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
  });

  it('reads an HTTP-date as the time left until it', () => {
    expect(parseRetryAfter('Sun, 01 Mar 2026 12:00:07 GMT', now)).toBe(7_000);
    expect(parseRetryAfter('Sunday, 01-Mar-26 12:00:07 GMT', now)).toBe(7_000);
  });

  it('reads a date already past as no wait', () => {
    expect(parseRetryAfter('Sun, 01 Mar 2026 11:59:00 GMT', now)).toBe(0);
  });

  it('reads an absent or malformed header as none', () => {
    expect(parseRetryAfter(null, now)).toBeUndefined();
    for (const text of ['', 'soon', '-1', '5.5', '1e3', '2026-03-01T12:00:07Z', 'Sun, 99 Foo 2026 12:00:07 GMT']) {
      expect(parseRetryAfter(text, now), text).toBeUndefined();
    }
  });
});
