import { describe, expect, it } from 'vitest';
import { bulkTaskIdsForKey, canonicalJson, IDEMPOTENCY_KEY, taskIdForKey } from './idempotency.js';
import { isUuid } from './task-id.js';

describe('taskIdForKey', () => {
  it('maps a key to the same version 8 UUID every time', () => {
    const id = taskIdForKey('order-1234');
    expect(isUuid(id)).toBe(true);
    expect(id[14]).toBe('8');
    expect(taskIdForKey('order-1234')).toBe(id);
    expect(taskIdForKey('order-1235')).not.toBe(id);
  });

  it('names the task it named before callers counted, when there is no caller', () => {
    // Made by the earlier release: a replay that spans the upgrade finds its task.
    expect(taskIdForKey('order-1234')).toBe('1fcb0d5e-9da6-872b-8f0f-5b48f0fe5fa7');
  });

  it('gives two callers with one key two tasks', () => {
    const ids = new Set([taskIdForKey('k'), taskIdForKey('k', 'key:aaaa'), taskIdForKey('k', 'key:bbbb')]);
    expect(ids.size).toBe(3);
    expect(taskIdForKey('k', 'key:aaaa')).toBe(taskIdForKey('k', 'key:aaaa'));
  });

  it('cannot be made to name another caller by putting the caller into the key', () => {
    expect(taskIdForKey('key:aaaa:k')).not.toBe(taskIdForKey('k', 'key:aaaa'));
    expect(taskIdForKey('k"', 'key:aaaa')).not.toBe(taskIdForKey('k', 'key:aaaa"'));
  });
});

describe('bulkTaskIdsForKey', () => {
  it('gives each task its own id, distinct from a single-task key, and the same ones every time', () => {
    const { own } = bulkTaskIdsForKey('k', 3);
    expect(new Set([...own, taskIdForKey('k')]).size).toBe(4);
    expect(bulkTaskIdsForKey('k', 3).own).toEqual(own);
    expect(own.every(isUuid)).toBe(true);
  });

  it('names the tasks before the last as it did before callers counted, when there is no caller', () => {
    expect(bulkTaskIdsForKey('import-77', 5).own[3]).toBe('9b0a0bac-596a-835a-850a-f6109cd716c4');
  });

  it('marks the last task, so a request with fewer or more tasks finds one of its foreign ids taken', () => {
    const three = bulkTaskIdsForKey('k', 3);
    const two = bulkTaskIdsForKey('k', 2);
    const four = bulkTaskIdsForKey('k', 4);
    // The positions before the last are shared; the last one is not.
    expect(two.own[0]).toBe(three.own[0]);
    expect(two.own[1]).not.toBe(three.own[1]);
    // Whichever was sent first, the other's foreign ids hold one of its tasks.
    expect(two.foreign).toContain(three.own[1]);
    expect(three.foreign).toContain(two.own[1]);
    expect(four.foreign).toContain(three.own[2]);
    expect(three.foreign).toContain(four.own[2]);
    // A request's own and foreign ids never meet.
    expect(three.own.filter((id) => three.foreign.includes(id))).toEqual([]);
  });

  it('gives two callers with one key disjoint tasks', () => {
    const a = bulkTaskIdsForKey('k', 3, 'key:aaaa');
    const b = bulkTaskIdsForKey('k', 3, 'key:bbbb');
    expect([...a.own, ...a.foreign].filter((id) => [...b.own, ...b.foreign].includes(id))).toEqual([]);
  });

  it('refuses a count below one', () => {
    expect(() => bulkTaskIdsForKey('k', 0)).toThrow(/count must be a whole number of at least 1, got 0/);
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
