/**
 * How figures read in the table: thousands separated, ms with as many decimals as their size
 * deserves, ratios with a ×. A missing figure (NaN) prints as a dash.
 */
import type { Spread } from './statistics.js';

const DASH = '—';

const grouped = (value: number, decimals: number): string =>
  value.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });

/** A count or a rate: `7,512`. */
export const formatCount = (value: number): string => (Number.isNaN(value) ? DASH : grouped(value, 0));

/** Milliseconds: `2.13 ms`, `47.1 ms`, `3,012 ms`. */
export const formatMs = (value: number): string => {
  if (Number.isNaN(value)) return DASH;
  const decimals = Math.abs(value) < 10 ? 2 : Math.abs(value) < 100 ? 1 : 0;
  return `${grouped(value, decimals)} ms`;
};

/** Microseconds, whole: `233 µs`. */
export const formatMicros = (value: number): string => (Number.isNaN(value) ? DASH : `${grouped(value, 0)} µs`);

/** Megabytes: `142 MB`. */
export const formatMb = (value: number): string => (Number.isNaN(value) ? DASH : `${grouped(value, 0)} MB`);

/** A ratio: `0.86×`, `34.1×`. */
export const formatRatio = (value: number): string =>
  Number.isNaN(value) ? DASH : `${grouped(value, Math.abs(value) < 10 ? 2 : 1)}×`;

/** A share: `97 %`. */
export const formatShare = (value: number): string => (Number.isNaN(value) ? DASH : `${grouped(value * 100, 0)} %`);

/**
 * The range of a spread, `7,401–7,630`; just the value when there was one sample or all agree.
 *
 * @example
 * formatRange({ median: 2, min: 1.9, max: 2.4, n: 5 }, formatMs); // '1.90–2.40 ms'
 */
export const formatRange = (spread: Spread, format: (value: number) => string): string => {
  if (spread.n === 0) return DASH;
  const low = format(spread.min);
  const high = format(spread.max);
  if (low === high) return low;
  // Print the unit once: `1.90–2.40 ms`, not `1.90 ms–2.40 ms`.
  const unit = /\s\S+$|×$/.exec(low)?.[0] ?? '';
  const sameUnit = unit !== '' && high.endsWith(unit);
  return sameUnit ? `${low.slice(0, -unit.length)}–${high}` : `${low}–${high}`;
};
