import { describe, expect, it } from 'vitest';
import { isUuid, newId } from './task-id.js';

describe('newId', () => {
  it('makes RFC 9562 version 7 UUIDs carrying the creation time', () => {
    const now = Date.UTC(2026, 10, 28, 12, 0, 0);
    const id = newId(now);
    expect(isUuid(id)).toBe(true);
    expect(id[14]).toBe('7');
    expect('89ab').toContain(id[19]);
    expect(Number.parseInt(id.replaceAll('-', '').slice(0, 12), 16)).toBe(now);
  });

  it('sorts later ids after earlier ones', () => {
    const ids = [newId(1_000), newId(2_000), newId(3_000)];
    expect([...ids].sort()).toEqual(ids);
  });

  it('refuses a time that does not fit its 48 bits', () => {
    expect(() => newId(1.5)).toThrow(RangeError);
    expect(() => newId(-1)).toThrow(RangeError);
    expect(() => newId(2 ** 48)).toThrow(RangeError);
  });

  it('never repeats', () => {
    const ids = new Set(Array.from({ length: 10_000 }, () => newId(5_000)));
    expect(ids.size).toBe(10_000);
  });
});
