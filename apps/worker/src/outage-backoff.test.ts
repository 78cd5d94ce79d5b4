import { describe, expect, it } from 'vitest';
import { createOutageBackoff } from './outage-backoff.js';

describe('createOutageBackoff', () => {
  it('doubles the delay with each consecutive failure, up to the cap', () => {
    const backoff = createOutageBackoff({ baseMs: 100, maxMs: 1_000, random: () => 0.5 });
    expect([backoff.next(), backoff.next(), backoff.next(), backoff.next(), backoff.next()]).toEqual([
      100, 200, 400, 800, 1_000,
    ]);
  });

  it('starts over after a success', () => {
    const backoff = createOutageBackoff({ baseMs: 100, maxMs: 1_000, random: () => 0.5 });
    backoff.next();
    backoff.next();
    backoff.reset();
    expect(backoff.next()).toBe(100);
  });

  it('spreads delays by ±20 % so replicas do not retry in lockstep', () => {
    expect(createOutageBackoff({ baseMs: 1_000, maxMs: 10_000, random: () => 0 }).next()).toBe(800);
    expect(createOutageBackoff({ baseMs: 1_000, maxMs: 10_000, random: () => 1 }).next()).toBe(1_200);
  });
});
