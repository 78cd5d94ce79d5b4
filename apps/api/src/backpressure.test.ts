import { describe, expect, it } from 'vitest';
import { createBackpressure } from './backpressure.js';
import { HttpProblem } from './problem.js';

describe('createBackpressure', () => {
  it('lets submissions through up to the high-water mark and refuses them above it with a 503', async () => {
    let waiting = 10;
    const backpressure = createBackpressure({ highWater: 10, waitingCount: async () => waiting, refreshMs: 0 });
    await expect(backpressure.check()).resolves.toBeUndefined();
    waiting = 11;
    const refused = await backpressure.check().catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(HttpProblem);
    expect(refused).toMatchObject({ status: 503, key: 'queue-full', options: { headers: { 'Retry-After': '5' } } });
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
    await backpressure.check();
    await backpressure.check();
    now = 999;
    await backpressure.check();
    expect(calls).toBe(1);
    now = 1_000;
    await backpressure.check();
    expect(calls).toBe(2);
  });
});
