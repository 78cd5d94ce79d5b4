/** Seconds in each unit a duration setting may use: `45s`, `3m`, `12h`, `30d`, `2w`. */
const UNIT_SECONDS = { s: 1, m: 60, h: 3_600, d: 86_400, w: 604_800 } as const;

const DURATION = /^(\d{1,9})(s|m|h|d|w)$/;

/**
 * A duration as settings write it, in seconds: a whole number and one unit, `s`, `m` (minutes),
 * `h`, `d` or `w`. `undefined` for anything else, so the caller can say what it expected.
 *
 * @example
 * parseDuration('30d'); // 2592000
 * parseDuration('3m'); // 180
 * parseDuration('3 months'); // undefined
 */
export const parseDuration = (text: string): number | undefined => {
  const match = DURATION.exec(text.trim());
  if (match === null) return undefined;
  const [, amount = '', unit = 's'] = match;
  return Number(amount) * UNIT_SECONDS[unit as keyof typeof UNIT_SECONDS];
};

/** A number of seconds written back as the largest unit that divides it: 604800 → `1w`. */
export const formatDuration = (seconds: number): string => {
  for (const [unit, size] of Object.entries(UNIT_SECONDS).reverse()) {
    if (seconds > 0 && seconds % size === 0) return `${seconds / size}${unit}`;
  }
  return `${seconds}s`;
};
