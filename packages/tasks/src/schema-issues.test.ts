import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { explainIssues } from './schema-issues.js';

const explain = (schema: z.ZodType, value: unknown) => {
  const result = schema.safeParse(value);
  if (result.success) throw new Error('expected the value to be refused');
  return explainIssues(result.error.issues, value);
};

const sms = z.looseObject({ to: z.string().regex(/^\+?[0-9]{6,15}$/, 'must be a phone number'), message: z.string() });
const smsOrText = z.union([sms, z.string().max(5, 'must be at most 5 characters')]);

describe('explainIssues', () => {
  it('points at the fields of a wrong object exactly as the object schema alone does', () => {
    const value = { to: 42, message: false };
    expect(explain(smsOrText, value)).toEqual(explain(sms, value));
    expect(explain(smsOrText, value)).toEqual([
      { path: ['to'], message: 'Invalid input: expected string, received number' },
      { path: ['message'], message: 'Invalid input: expected string, received boolean' },
    ]);
  });

  it("reports a text branch's own message for a text that breaks it", () => {
    expect(explain(smsOrText, 'too long')).toEqual([{ path: [], message: 'must be at most 5 characters' }]);
  });

  it('names every accepted type when the value has none of them', () => {
    expect(explain(smsOrText, 42)).toEqual([
      { path: [], message: 'Invalid input: expected object or string, received number' },
    ]);
    expect(explain(smsOrText, [1])).toEqual([
      { path: [], message: 'Invalid input: expected object or string, received array' },
    ]);
    expect(explain(smsOrText, null)).toEqual([
      { path: [], message: 'Invalid input: expected object or string, received null' },
    ]);
  });

  it('unfolds a union nested inside an object, under its own path', () => {
    const outer = z.object({ inner: z.object({ choice: smsOrText }) });
    expect(explain(outer, { inner: { choice: { to: 'x', message: 'm', extra: 1 } } })).toEqual([
      { path: ['inner', 'choice', 'to'], message: 'must be a phone number' },
    ]);
    expect(explain(outer, { inner: { choice: { to: 7, message: 'm' } } })).toEqual([
      { path: ['inner', 'choice', 'to'], message: 'Invalid input: expected string, received number' },
    ]);
    expect(explain(outer, { inner: { choice: true } })).toEqual([
      { path: ['inner', 'choice'], message: 'Invalid input: expected object or string, received boolean' },
    ]);
  });

  it("keeps zod's own issue when two branches accept the value's type", () => {
    const either = z.union([z.object({ a: z.string() }), z.object({ b: z.string() })]);
    expect(explain(either, {})).toEqual([{ path: [], message: 'Invalid input' }]);
  });
});
