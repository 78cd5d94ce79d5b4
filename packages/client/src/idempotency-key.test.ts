import { describe, expect, it } from 'vitest';
import { idempotencyKeyFor } from './idempotency-key.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('idempotencyKeyFor', () => {
  it('keeps the caller’s key, retried or not', () => {
    expect(idempotencyKeyFor('order-42', true)).toBe('order-42');
    expect(idempotencyKeyFor('order-42', false)).toBe('order-42');
  });

  it('makes up a new random key for each call that may be retried', () => {
    const first = idempotencyKeyFor(undefined, true);
    expect(first).toMatch(UUID);
    expect(idempotencyKeyFor(undefined, true)).not.toBe(first);
  });

  it('makes none when the call is sent once', () => {
    expect(idempotencyKeyFor(undefined, false)).toBeUndefined();
  });

  it('refuses a key the api would refuse, before anything is sent', () => {
    for (const key of ['', 'has space', 'tab\t', 'ключ', 'x'.repeat(256)]) {
      expect(() => idempotencyKeyFor(key, true), key).toThrow(RangeError);
    }
    expect(idempotencyKeyFor('x'.repeat(255), true)).toHaveLength(255);
  });
});
