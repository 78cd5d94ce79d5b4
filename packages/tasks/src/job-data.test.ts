import { describe, expect, it } from 'vitest';
import { checkJob, tasksIn } from './job-data.js';
import { newParcelBase, withParcelFields } from './parcel-id.js';
import { newId } from './task-id.js';

describe('checkJob', () => {
  it('accepts a job with a UUID id and one task, and gives it as a list of one', () => {
    const id = newId();
    expect(checkJob(id, { payload: { to: 'a@example.com' }, submittedAt: 1_700_000_000_000, extra: 1 })).toEqual({
      ok: true,
      id,
      parcel: false,
      tasks: [{ id, payload: { to: 'a@example.com' } }],
      submittedAt: 1_700_000_000_000,
      firstAttempt: 1,
    });
  });

  it('accepts a parcel, with its tasks, its key and the attempt it started on', () => {
    const base = newParcelBase();
    const tasks = [0, 1].map((index) => ({ id: withParcelFields(base, { index }), payload: { n: index } }));
    expect(checkJob(base, { submittedAt: 5, key: 'acme', tasks })).toEqual({
      ok: true,
      id: base,
      parcel: true,
      tasks,
      submittedAt: 5,
      firstAttempt: 1,
      key: 'acme',
    });
    const retried = [{ ...tasks[1], error: 'timed out' }];
    expect(checkJob(base, { submittedAt: 5, attempt: 3, tasks: retried })).toMatchObject({
      firstAttempt: 3,
      tasks: retried,
    });
  });

  it.each([
    ['no tasks', { submittedAt: 1, tasks: [] }, 'its tasks are not a list'],
    ['a task without an id', { submittedAt: 1, tasks: [{ payload: 1 }] }, 'its task 0 is not'],
    ['a task id that is no UUID', { submittedAt: 1, tasks: [{ id: 'x', payload: 1 }] }, 'its task 0 is not'],
    ['a task without a payload', { submittedAt: 1, tasks: [{ id: newId() }] }, 'its task 0 is not'],
    [
      'one task twice',
      {
        submittedAt: 1,
        tasks: [
          { id: '01936f4e-0000-7000-8000-000000000001', payload: 1 },
          { id: '01936f4e-0000-7000-8000-000000000001', payload: 2 },
        ],
      },
      'twice',
    ],
    ['no submittedAt', { tasks: [{ id: newId(), payload: 1 }] }, 'submittedAt'],
    ['an attempt of 0', { submittedAt: 1, attempt: 0, tasks: [{ id: newId(), payload: 1 }] }, 'attempt'],
    ['a key that is no text', { submittedAt: 1, key: 7, tasks: [{ id: newId(), payload: 1 }] }, 'key'],
  ])('refuses a parcel with %s, saying so', (_, data, reason) => {
    expect(checkJob(newId(), data)).toEqual({ ok: false, reason: expect.stringContaining(reason) });
  });

  it('counts the tasks a job carries, and never throws', () => {
    expect(tasksIn({ tasks: [1, 2, 3] })).toBe(3);
    expect(tasksIn({ payload: {} })).toBe(1);
    expect(tasksIn(null)).toBe(1);
    expect(tasksIn({ tasks: 'x' })).toBe(1);
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
