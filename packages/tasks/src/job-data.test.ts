import { describe, expect, it } from 'vitest';
import { checkJob } from './job-data.js';
import { newId } from './task-id.js';

describe('checkJob', () => {
  it('accepts a job with a UUID id and its data, and gives the parsed data', () => {
    const id = newId();
    expect(checkJob(id, { payload: { to: 'a@example.com' }, submittedAt: 1_700_000_000_000, extra: 1 })).toEqual({
      ok: true,
      id,
      data: { payload: { to: 'a@example.com' }, submittedAt: 1_700_000_000_000 },
    });
  });

  it.each([
    ['not a UUID', 'order-42', '"order-42"'],
    ['missing', undefined, 'undefined'],
  ])('refuses a job whose id is %s, quoting it', (_, id, quoted) => {
    const checked = checkJob(id, { payload: null, submittedAt: 1 });
    expect(checked).toEqual({ ok: false, reason: expect.stringContaining(`its id ${quoted} is not a UUID`) });
  });

  it('refuses a job without submittedAt, naming the field', () => {
    const checked = checkJob(newId(), { payload: { to: 'a@example.com' } });
    expect(checked.ok).toBe(false);
    expect(checked.ok ? '' : checked.reason).toMatch(/^invalid job: its data is not a task's \(submittedAt: /);
  });

  it('refuses data that is not an object', () => {
    expect(checkJob(newId(), 'hello')).toMatchObject({ ok: false, reason: expect.stringContaining('data: ') });
  });
});
