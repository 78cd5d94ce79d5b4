import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { abortableSleep } from './abortable-sleep.js';

describe('abortableSleep', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('resolves once its time has passed', async () => {
    let done = false;
    const sleeping = abortableSleep(5_000, new AbortController().signal).then(() => {
      done = true;
    });
    await vi.advanceTimersByTimeAsync(4_999);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await sleeping;
    expect(done).toBe(true);
  });

  it('rejects with the reason as soon as the signal aborts, with no time passing, and leaves no timer', async () => {
    const caller = new AbortController();
    const sleeping = abortableSleep(5_000, caller.signal);
    caller.abort(new Error('the caller gave up'));
    await expect(sleeping).rejects.toThrow('the caller gave up');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('rejects at once for a signal aborted already', async () => {
    const caller = new AbortController();
    caller.abort(new Error('gave up before'));
    await expect(abortableSleep(5_000, caller.signal)).rejects.toThrow('gave up before');
    expect(vi.getTimerCount()).toBe(0);
  });
});
