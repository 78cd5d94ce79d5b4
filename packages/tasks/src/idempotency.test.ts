import { describe, expect, it } from 'vitest';
import { canonicalJson, IDEMPOTENCY_KEY, taskIdForKey } from './idempotency.js';
import { isUuid } from './task-id.js';

describe('taskIdForKey', () => {
  it('maps a key to the same version 8 UUID every time', () => {
    const id = taskIdForKey('order-1234');
    expect(isUuid(id)).toBe(true);
    expect(id[14]).toBe('8');
    expect(taskIdForKey('order-1234')).toBe(id);
    expect(taskIdForKey('order-1235')).not.toBe(id);
  });

  it('gives each task of a bulk request its own id, distinct from a single-task key', () => {
    const ids = new Set([taskIdForKey('k'), taskIdForKey('k', 0), taskIdForKey('k', 1)]);
    expect(ids.size).toBe(3);
  });
});

describe('IDEMPOTENCY_KEY', () => {
  it('accepts visible ASCII tokens up to 255 characters and nothing else', () => {
    expect(IDEMPOTENCY_KEY.test('a1b2-C3_d4:e5')).toBe(true);
    expect(IDEMPOTENCY_KEY.test('x'.repeat(255))).toBe(true);
    expect(IDEMPOTENCY_KEY.test('x'.repeat(256))).toBe(false);
    expect(IDEMPOTENCY_KEY.test('has space')).toBe(false);
    expect(IDEMPOTENCY_KEY.test('')).toBe(false);
    expect(IDEMPOTENCY_KEY.test('é')).toBe(false);
  });
});

describe('canonicalJson', () => {
  it('ignores key order at every depth but not array order', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, 1], c: null } })).toBe(canonicalJson({ a: { c: null, d: [2, 1] }, b: 1 }));
    expect(canonicalJson([1, 2])).not.toBe(canonicalJson([2, 1]));
  });
});
