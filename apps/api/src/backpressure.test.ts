import { describe, expect, it } from 'vitest';
import { createBackpressure } from './backpressure.js';
import { HttpProblem } from './problem.js';

const refusal = (promise: Promise<void>): Promise<unknown> =>
  promise.then(
    () => undefined,
    (error: unknown) => error,
  );

describe('createBackpressure', () => {
  it('lets submissions through up to the high-water mark and refuses them above it with a 503', async () => {
    let waiting = 9;
    const backpressure = createBackpressure({ highWater: 10, waitingCount: async () => waiting, refreshMs: 0 });
    await expect(backpressure.admit(1)).resolves.toBeUndefined();
    waiting = 10;
    const refused = await refusal(backpressure.admit(1));
    expect(refused).toBeInstanceOf(HttpProblem);
    expect(refused).toMatchObject({ status: 503, key: 'queue-full', options: { headers: { 'Retry-After': '5' } } });
  });

  it("counts a request's own size: with 900 waiting under a mark of 1,000, 200 tasks are refused and 50 let in", async () => {
    const backpressure = createBackpressure({ highWater: 1_000, waitingCount: async () => 900, refreshMs: 0 });
    expect(await refusal(backpressure.admit(200))).toMatchObject({ status: 503, key: 'queue-full' });
    await expect(backpressure.admit(100)).resolves.toBeUndefined();
    await expect(backpressure.admit(50)).resolves.toBeUndefined();
  });

  it('adds what it let in to the count it reuses, so requests within one refresh cannot pass the mark together', async () => {
    const backpressure = createBackpressure({ highWater: 1_000, waitingCount: async () => 900, now: () => 0 });
    await backpressure.admit(60);
    await backpressure.admit(40);
    expect(await refusal(backpressure.admit(1))).toMatchObject({ status: 503, key: 'queue-full' });
  });

  it('refuses a request larger than the mark without Retry-After: waiting would never let it in', async () => {
    const backpressure = createBackpressure({ highWater: 1_000, waitingCount: async () => 0, refreshMs: 0 });
    const refused = await refusal(backpressure.admit(1_001));
    expect(refused).toMatchObject({ status: 503, key: 'queue-full', options: {} });
    expect((refused as HttpProblem).options.headers).toBeUndefined();
    expect((refused as HttpProblem).detail).toContain('parts of at most 1000');
  });

  it('asks Redis at most once per refresh interval', async () => {
    let calls = 0;
    let now = 0;
    const backpressure = createBackpressure({
      highWater: 100,
      waitingCount: async () => ++calls,
      refreshMs: 1_000,
      now: () => now,
    });
    await backpressure.admit(1);
    await backpressure.admit(1);
    now = 999;
    await backpressure.admit(1);
    expect(calls).toBe(1);
    now = 1_000;
    await backpressure.admit(1);
    expect(calls).toBe(2);
  });
});
