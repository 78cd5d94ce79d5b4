import { describe, expect, it } from 'vitest';
import { median, percentilesOf, quantile, quantileOfSorted, ratio, spreadOf } from './statistics.js';

describe('quantile', () => {
  it('interpolates between the two nearest ranks', () => {
    expect(quantile([10, 20, 30, 40, 50], 0.5)).toBe(30);
    expect(quantile([10, 20, 30, 40, 50], 0.95)).toBeCloseTo(48);
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
  });

  it('sorts numerically, not as text', () => {
    expect(quantile([100, 9, 20], 0)).toBe(9);
    expect(quantile([100, 9, 20], 1)).toBe(100);
  });

  it('leaves its input as it was', () => {
    const samples = [3, 1, 2];
    quantile(samples, 0.5);
    expect(samples).toEqual([3, 1, 2]);
  });

  it('is NaN for no samples and refuses a quantile outside [0, 1]', () => {
    expect(quantile([], 0.5)).toBeNaN();
    expect(() => quantileOfSorted([1], 1.5)).toThrow(RangeError);
    expect(() => quantileOfSorted([1], Number.NaN)).toThrow(RangeError);
  });
});

describe('median', () => {
  it('is the middle sample of an odd count and the mean of the middle two of an even one', () => {
    expect(median([7, 1, 3])).toBe(3);
    expect(median([3, 1, 2, 10])).toBe(2.5);
    expect(median([42])).toBe(42);
  });
});

describe('spreadOf', () => {
  it('reports median, min, max and the number of samples', () => {
    expect(spreadOf([7_400, 7_650, 7_512])).toEqual({ median: 7_512, min: 7_400, max: 7_650, n: 3 });
  });

  it('is all NaN with n 0 for no samples', () => {
    const spread = spreadOf([]);
    expect(spread.n).toBe(0);
    expect(spread.median).toBeNaN();
    expect(spread.min).toBeNaN();
    expect(spread.max).toBeNaN();
  });
});

describe('percentilesOf', () => {
  it('gives p50, p95, p99 and max of a latency distribution', () => {
    const latencies = Array.from({ length: 101 }, (_, i) => i * 10); // 0, 10, …, 1000
    expect(percentilesOf(latencies)).toEqual({ p50: 500, p95: 950, p99: 990, max: 1_000, n: 101 });
  });
});

describe('ratio', () => {
  it('divides', () => {
    expect(ratio(7_500, 9_000)).toBeCloseTo(0.8333, 4);
  });

  it('is NaN, not Infinity, when a side is missing or the denominator is not positive', () => {
    expect(ratio(undefined, 1)).toBeNaN();
    expect(ratio(1, undefined)).toBeNaN();
    expect(ratio(1, 0)).toBeNaN();
    expect(ratio(1, Number.NaN)).toBeNaN();
    expect(ratio(Number.NaN, 1)).toBeNaN();
  });
});
