import { describe, expect, it } from 'vitest';
import { sinkRowsProblem } from './sink-rows.js';

describe('sinkRowsProblem', () => {
  it.each([
    [[]],
    [[{ task_id: 'a', url: '/', seen_at: new Date(0), doc: { nested: [1, 2] } }]],
    [[Object.assign(Object.create(null), { url: '/' }), {}]],
    [[{ ['x'.repeat(63)]: 1 }]],
  ])('finds nothing wrong with %j', (rows) => {
    expect(sinkRowsProblem(rows)).toBeUndefined();
  });

  it.each([
    [{ url: '/' }, 'an object, not an array of rows'],
    [undefined, 'undefined, not an array of rows'],
    [[{ url: '/' }, null], 'not all rows: row 1 is null, not a plain object of column values'],
    [[['/', 1]], 'not all rows: row 0 is an array, not a plain object of column values'],
    [[new Date(0)], 'not all rows: row 0 is an object, not a plain object of column values'],
    [[{ '': 1 }], 'not all rows: row 0 has the column name "", which is empty'],
    [[{ 'a\u0000b': 1 }], 'not all rows: row 0 has the column name "a\\u0000b"'],
    [[{ ['é'.repeat(32)]: 1 }], 'is over 63 bytes'],
  ])('says what is wrong with %j', (rows, problem) => {
    expect(sinkRowsProblem(rows)).toContain(problem);
  });
});
