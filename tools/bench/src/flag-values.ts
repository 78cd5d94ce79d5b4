/**
 * Readers of the flag values the bench, chaos and scale command lines share; each throws an
 * `OptionError` that names the flag and what it got.
 */
import { OptionError } from './option-error.js';

/**
 * A number from `min` to `max`; with `integer`, a whole one.
 *
 * @example
 * number('rate', '500', 1, 100_000); // 500
 */
export const number = (flag: string, text: string, min: number, max: number, integer = false): number => {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || (integer && !Number.isInteger(value)))
    throw new OptionError(flag, `must be ${integer ? 'a whole number' : 'a number'} (got ${JSON.stringify(text)})`);
  if (value < min || value > max) throw new OptionError(flag, `must be from ${min} to ${max} (got ${text})`);
  return value;
};

export const wholeNumber = (flag: string, text: string, min: number, max: number): number =>
  number(flag, text, min, max, true);

/** Seconds from `min` to `max` (fractions allowed), in ms. */
export const seconds = (flag: string, text: string, min: number, max: number): number => {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < min || value > max) {
    throw new OptionError(flag, `must be a number of seconds from ${min} to ${max} (got ${JSON.stringify(text)})`);
  }
  return Math.round(value * 1000);
};

const ENV_NAME = /^[A-Z][A-Z0-9_]*$/;

/**
 * The repeated `--env NAME=value` flags over `defaults`: a setting of the api and the workers.
 *
 * @example
 * serviceEnv(['BATCH_SIZE=50'], { BATCH_SIZE: '100' }); // { BATCH_SIZE: '50' }
 */
export const serviceEnv = (
  entries: ReadonlyArray<string> = [],
  defaults: Readonly<Record<string, string>> = {},
): Readonly<Record<string, string>> => {
  const env: Record<string, string> = { ...defaults };
  for (const entry of entries) {
    const at = entry.indexOf('=');
    const name = at < 0 ? entry : entry.slice(0, at);
    if (at < 0 || !ENV_NAME.test(name)) {
      throw new OptionError('env', `expected NAME=value with an upper-case NAME (got ${JSON.stringify(entry)})`);
    }
    env[name] = entry.slice(at + 1);
  }
  return Object.freeze(env);
};
