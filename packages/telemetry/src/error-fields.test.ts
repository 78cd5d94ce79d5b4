import { describe, expect, it } from 'vitest';
import { errorFields } from './error-fields.js';

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
