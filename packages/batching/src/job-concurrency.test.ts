import { describe, expect, it } from 'vitest';
import { createJobConcurrency } from './job-concurrency.js';

const arriving = (budget: number, weights: ReadonlyArray<number>): number => {
  const jobs = createJobConcurrency(budget);
  for (const weight of weights) jobs.arrived(weight);
  return jobs.value;
};

describe('job concurrency', () => {
  it('is the budget while every job carries one task, and follows the budget as it grows', () => {
    const jobs = createJobConcurrency(500);
    expect(jobs.value).toBe(500);
    for (let job = 0; job < 1_000; job += 1) expect(jobs.arrived(1)).toBe(500);

    expect(jobs.budget(2_400)).toBe(2_400);
  });

  it('comes down to budget ÷ 100 within about ten parcels of 100', () => {
    expect(
      arriving(
        500,
        Array.from({ length: 10 }, () => 100),
      ),
    ).toBeLessThanOrEqual(6);
    expect(
      arriving(
        500,
        Array.from({ length: 20 }, () => 100),
      ),
    ).toBe(5);
  });

  it('divides a new budget by the mean weight', () => {
    const jobs = createJobConcurrency(500);
    for (let job = 0; job < 50; job += 1) jobs.arrived(100);

    expect(jobs.budget(2_400)).toBe(24);
  });

  it('goes back up to the budget within about ten jobs once the parcels are single tasks again', () => {
    const jobs = createJobConcurrency(500);
    for (let job = 0; job < 50; job += 1) jobs.arrived(100);
    for (let job = 0; job < 10; job += 1) jobs.arrived(1);
    expect(jobs.value).toBeGreaterThanOrEqual(70);

    for (let job = 0; job < 30; job += 1) jobs.arrived(1);
    expect(jobs.value).toBe(500);
  });

  it('takes the mean of a mix of parcel sizes', () => {
    // Bulk requests split into 100, 100 and a tail of 10, over and over: a mean of 70.
    const mix = Array.from({ length: 60 }, (_, index) => (index % 3 === 2 ? 10 : 100));
    const value = arriving(700, mix);
    expect(value).toBeGreaterThanOrEqual(8);
    expect(value).toBeLessThanOrEqual(12);
  });

  it('never goes below one job, however heavy the parcels', () => {
    expect(
      arriving(
        500,
        Array.from({ length: 20 }, () => 100_000),
      ),
    ).toBe(1);
  });
});
