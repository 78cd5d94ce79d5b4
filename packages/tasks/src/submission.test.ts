import { describe, expect, it } from 'vitest';
import { createDemoCatalog } from './demo-task-types.js';
import { MAX_KEY_LENGTH, MAX_PAYLOAD_BYTES, MAX_STRING_LENGTH, validateSubmission } from './submission.js';

const catalog = createDemoCatalog({ failureRate: 0, workMs: 0 });
const email = { to: 'ada@example.com', subject: 'Hi' };

describe('validateSubmission', () => {
  it('accepts a known task type with a payload matching its schema', () => {
    expect(validateSubmission(catalog, { taskType: 'EMAIL', payload: email })).toEqual({
      ok: true,
      value: { taskType: 'EMAIL', payload: email },
    });
  });

  it('names the known types when the task type is unknown', () => {
    const checked = validateSubmission(catalog, { taskType: 'FAX', payload: {} });
    expect(checked).toEqual({
      ok: false,
      errors: [{ pointer: '/taskType', message: 'unknown task type "FAX"; known types: EMAIL, SMS, PUSH' }],
    });
  });

  it('points at the payload field whose type is wrong', () => {
    const checked = validateSubmission(catalog, { taskType: 'SMS', payload: { to: 15555550100, message: 'x' } });
    expect(checked.ok).toBe(false);
    expect(!checked.ok && checked.errors.map((e) => e.pointer)).toEqual(['/payload/to']);
  });

  it("accepts the seed's plain-text payload for EMAIL, SMS and PUSH, as sent", () => {
    for (const taskType of ['EMAIL', 'SMS', 'PUSH']) {
      expect(validateSubmission(catalog, { taskType, payload: 'test data' })).toEqual({
        ok: true,
        value: { taskType, payload: 'test data' },
      });
    }
  });

  it('still points at each wrong field of a structured payload, with the messages of the object schema', () => {
    expect(validateSubmission(catalog, { taskType: 'SMS', payload: { to: 42, message: false } })).toEqual({
      ok: false,
      errors: [
        { pointer: '/payload/to', message: 'Invalid input: expected string, received number' },
        { pointer: '/payload/message', message: 'Invalid input: expected string, received boolean' },
      ],
    });
    expect(validateSubmission(catalog, { taskType: 'EMAIL', payload: { subject: 'no recipient' } })).toEqual({
      ok: false,
      errors: [{ pointer: '/payload/to', message: 'must be an email address' }],
    });
    expect(validateSubmission(catalog, { taskType: 'PUSH', payload: { deviceToken: 'd' } })).toEqual({
      ok: false,
      errors: [{ pointer: '/payload/title', message: 'Invalid input: expected string, received undefined' }],
    });
  });

  it('holds a text payload to the length of the field it stands for, and refuses other JSON types', () => {
    expect(validateSubmission(catalog, { taskType: 'SMS', payload: 'x'.repeat(1_601) })).toEqual({
      ok: false,
      errors: [{ pointer: '/payload', message: 'must be a text of at most 1600 characters, or an object' }],
    });
    expect(validateSubmission(catalog, { taskType: 'PUSH', payload: '' })).toEqual({
      ok: false,
      errors: [{ pointer: '/payload', message: 'must not be empty' }],
    });
    expect(validateSubmission(catalog, { taskType: 'EMAIL', payload: 'x'.repeat(MAX_STRING_LENGTH + 1) })).toEqual({
      ok: false,
      errors: [{ pointer: '/payload', message: 'text is 32769 characters long; the limit is 32768' }],
    });
    expect(validateSubmission(catalog, { taskType: 'EMAIL', payload: 42 })).toEqual({
      ok: false,
      errors: [{ pointer: '/payload', message: 'Invalid input: expected object or string, received number' }],
    });
  });

  it('rejects a payload over 64 KiB with its size', () => {
    const payload = { ...email, body: 'x'.repeat(MAX_PAYLOAD_BYTES) };
    const checked = validateSubmission(catalog, { taskType: 'EMAIL', payload });
    expect(!checked.ok && checked.errors[0]?.message).toMatch(/^is \d+ bytes of JSON; the limit is 65536$/);
  });

  it('rejects a NUL character in a value or a key, pointing at it', () => {
    const inValue = validateSubmission(catalog, { taskType: 'EMAIL', payload: { ...email, tags: ['ok', 'a\u0000b'] } });
    expect(!inValue.ok && inValue.errors).toEqual([
      { pointer: '/payload/tags/1', message: 'text contains a NUL character (\\u0000)' },
    ]);
    const inKey = validateSubmission(catalog, { taskType: 'EMAIL', payload: { ...email, 'k\u0000': 1 } });
    expect(!inKey.ok && inKey.errors[0]?.message).toBe('a key contains a NUL character (\\u0000)');
  });

  it('rejects unpaired surrogates but accepts real emoji', () => {
    expect(validateSubmission(catalog, { taskType: 'EMAIL', payload: { ...email, subject: 'hi \ud83d' } }).ok).toBe(
      false,
    );
    expect(validateSubmission(catalog, { taskType: 'EMAIL', payload: { ...email, subject: 'hi 🙂' } }).ok).toBe(true);
  });

  it('rejects payloads nested deeper than the limit without overflowing the stack', () => {
    let deep: unknown = 'leaf';
    for (let i = 0; i < 100_000; i += 1) deep = [deep];
    const checked = validateSubmission(catalog, { taskType: 'EMAIL', payload: { ...email, deep } });
    expect(!checked.ok && checked.errors[0]?.message).toBe('payload is nested deeper than 32 levels');
  });

  it('rejects a task type that is not an upper-case name before looking it up, without echoing it', () => {
    for (const taskType of ['email', '', '1EMAIL', 'EMAIL ', 'E-MAIL', `E${'X'.repeat(64)}`, 'x'.repeat(10_000)]) {
      const checked = validateSubmission(catalog, { taskType, payload: email });
      expect(!checked.ok && checked.errors, JSON.stringify(taskType.slice(0, 20))).toEqual([
        { pointer: '/taskType', message: expect.stringMatching(/^must be 1 to 64 upper-case letters/) },
      ]);
      expect(JSON.stringify(checked).length).toBeLessThan(400);
    }
    // 64 characters is a well-formed name: it gets as far as the catalog.
    const longest = validateSubmission(catalog, { taskType: `E${'X'.repeat(63)}`, payload: email });
    expect(!longest.ok && longest.errors[0]?.message).toMatch(/^unknown task type/);
  });

  it('rejects a text longer than the limit anywhere in the payload, even where the schema sets none', () => {
    const atLimit = validateSubmission(catalog, {
      taskType: 'EMAIL',
      payload: { ...email, notes: ['x'.repeat(MAX_STRING_LENGTH)] },
    });
    expect(atLimit.ok).toBe(true);
    const over = validateSubmission(catalog, {
      taskType: 'EMAIL',
      payload: { ...email, notes: ['x'.repeat(MAX_STRING_LENGTH + 1)] },
    });
    expect(!over.ok && over.errors).toEqual([
      {
        pointer: '/payload/notes/0',
        message: `text is ${MAX_STRING_LENGTH + 1} characters long; the limit is ${MAX_STRING_LENGTH}`,
      },
    ]);
  });

  it('rejects an object key longer than the limit', () => {
    expect(
      validateSubmission(catalog, { taskType: 'EMAIL', payload: { ...email, ['k'.repeat(MAX_KEY_LENGTH)]: 1 } }).ok,
    ).toBe(true);
    const over = validateSubmission(catalog, {
      taskType: 'EMAIL',
      payload: { ...email, ['k'.repeat(MAX_KEY_LENGTH + 1)]: 1 },
    });
    expect(!over.ok && over.errors[0]?.message).toBe(
      `a key is ${MAX_KEY_LENGTH + 1} characters long; the limit is ${MAX_KEY_LENGTH}`,
    );
  });

  it('rejects unknown top-level fields and a missing payload, prefixing pointers in bulk', () => {
    const checked = validateSubmission(catalog, { taskType: 'EMAIL', extra: 1 }, '/tasks/7');
    expect(!checked.ok && checked.errors.map((e) => e.pointer)).toEqual(['/tasks/7/extra', '/tasks/7/payload']);
  });

  it('rejects a body that is not an object', () => {
    expect(validateSubmission(catalog, ['EMAIL']).ok).toBe(false);
    expect(validateSubmission(catalog, null).ok).toBe(false);
  });
});
