import { describe, expect, it } from 'vitest';
import { errorFields, errorMessage } from './error-fields.js';

describe('errorFields', () => {
  it('keeps the message, the stack and the code of an Error, which JSON would drop', () => {
    const error = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    const fields = errorFields(error);
    expect(fields).toMatchObject({ error: 'connect ECONNREFUSED 127.0.0.1:5432', code: 'ECONNREFUSED' });
    expect(fields.stack).toMatch(/^Error: connect ECONNREFUSED[^\n]*\n\s+at /);
    expect(JSON.parse(JSON.stringify({ ...fields }))).toEqual(fields);
  });

  it('describes a thrown value that is not an Error', () => {
    expect(errorFields('boom')).toEqual({ error: 'boom' });
  });
});

describe('errorMessage', () => {
  it('gives an Error its message and anything else as a string', () => {
    expect(errorMessage(new TypeError('not a function'))).toBe('not a function');
    expect(errorMessage(42)).toBe('42');
  });

  it("gives an AggregateError without a message of its own its members' reasons", () => {
    const refused = new AggregateError([
      new Error('connect ECONNREFUSED ::1:5432'),
      new Error('connect ECONNREFUSED 127.0.0.1:5432'),
    ]);
    expect(errorMessage(refused)).toBe('connect ECONNREFUSED ::1:5432; connect ECONNREFUSED 127.0.0.1:5432');
  });
});
