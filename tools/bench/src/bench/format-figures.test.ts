import { describe, expect, it } from 'vitest';
import {
  formatCount,
  formatMb,
  formatMicros,
  formatMs,
  formatRange,
  formatRatio,
  formatShare,
} from './format-figures.js';

describe('figure formats', () => {
  it('groups thousands in counts and rounds them', () => {
    expect(formatCount(7_512.4)).toBe('7,512');
    expect(formatCount(100_000)).toBe('100,000');
  });

  it('gives milliseconds as many decimals as their size deserves', () => {
    expect(formatMs(2.134)).toBe('2.13 ms');
    expect(formatMs(47.06)).toBe('47.1 ms');
    expect(formatMs(3_012.4)).toBe('3,012 ms');
  });

  it('prints ratios with two decimals below 10 and one above', () => {
    expect(formatRatio(0.8567)).toBe('0.86×');
    expect(formatRatio(34.14)).toBe('34.1×');
  });

  it('prints microseconds, megabytes and shares whole', () => {
    expect(formatMicros(1_233.4)).toBe('1,233 µs');
    expect(formatMb(142.6)).toBe('143 MB');
    expect(formatShare(0.974)).toBe('97 %');
  });

  it('prints a missing figure as a dash', () => {
    for (const format of [formatCount, formatMicros, formatMs, formatMb, formatRatio, formatShare])
      expect(format(Number.NaN)).toBe('—');
  });
});

describe('formatRange', () => {
  it('prints min–max with the unit once', () => {
    expect(formatRange({ median: 2, min: 1.9, max: 2.4, n: 5 }, formatMs)).toBe('1.90–2.40 ms');
    expect(formatRange({ median: 0.9, min: 0.85, max: 0.93, n: 3 }, formatRatio)).toBe('0.85–0.93×');
    expect(formatRange({ median: 7_500, min: 7_401, max: 7_630, n: 3 }, formatCount)).toBe('7,401–7,630');
  });

  it('keeps each end at its own precision', () => {
    expect(formatRange({ median: 9, min: 8.5, max: 12.5, n: 3 }, formatMs)).toBe('8.50–12.5 ms');
  });

  it('prints one value when there was one sample or both ends agree, and a dash for none', () => {
    expect(formatRange({ median: 3, min: 3, max: 3, n: 1 }, formatMs)).toBe('3.00 ms');
    expect(formatRange({ median: Number.NaN, min: Number.NaN, max: Number.NaN, n: 0 }, formatMs)).toBe('—');
  });
});
