import { describe, expect, it } from 'vitest';
import { outcomeProblem } from './task-type.js';

describe('outcomeProblem', () => {
  it.each([
    [{ ok: true }],
    [{ ok: true, result: { id: 1 } }],
    [{ ok: false, error: 'down', retry: true }],
    [{ ok: false, error: 'bad address', retry: false }],
  ])('finds nothing wrong with %j', (outcome) => {
    expect(outcomeProblem(outcome)).toBeUndefined();
  });

  it.each([
    [null, 'null, not an outcome'],
    [undefined, 'undefined, not an outcome'],
    ['done', 'a string, not an outcome'],
    [[], 'an array, not an outcome'],
    [{ ok: 'yes' }, 'a malformed outcome: `ok` must be true or false, got a string'],
    [{ ok: false }, 'a malformed outcome: `error` must be a string when `ok` is false, got undefined'],
    [
      { ok: false, error: 'down' },
      'a malformed outcome: `retry` must be true or false when `ok` is false, got undefined',
    ],
  ])('says what is wrong with %j', (outcome, problem) => {
    expect(outcomeProblem(outcome)).toBe(problem);
  });
});
