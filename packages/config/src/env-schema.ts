import { z } from 'zod';
import { formatDuration, parseDuration } from './duration.js';

/** An unset variable and an empty one mean the same: use the default. */
const blankToUndefined = (value: unknown): unknown =>
  typeof value === 'string' && value.trim() === '' ? undefined : value;

/** A whole number within [min, max], coerced from the variable's text. */
const wholeNumber = (min: number, max: number) =>
  z.coerce
    .number({ error: 'must be a whole number' })
    .int('must be a whole number')
    .min(min, `must be at least ${min}`)
    .max(max, `must be at most ${max}`);

/** A whole number read from the environment, within [min, max]. */
export const integer = (fallback: number, min: number, max: number = Number.MAX_SAFE_INTEGER) =>
  z.preprocess(blankToUndefined, wholeNumber(min, max).default(fallback));

/** A whole number within [min, max], or undefined when the variable is unset or blank. */
export const optionalInteger = (min: number, max: number) =>
  z.preprocess(blankToUndefined, wholeNumber(min, max).optional());

/**
 * A duration (`45s`, `3m`, `12h`, `30d`, `2w`) read from the environment, in seconds, within
 * [min, max] seconds.
 */
export const duration = (fallback: string, min: number, max: number) =>
  z.preprocess(
    blankToUndefined,
    z
      .string()
      .default(fallback)
      .transform((text, context) => {
        const seconds = parseDuration(text);
        if (seconds === undefined) {
          context.addIssue({
            code: 'custom',
            message: 'must be a whole number and a unit: s, m, h, d or w (e.g. 30d, 12h, 3m)',
          });
          return z.NEVER;
        }
        if (seconds < min || seconds > max) {
          context.addIssue({
            code: 'custom',
            message: `must be from ${formatDuration(min)} to ${formatDuration(max)}`,
          });
          return z.NEVER;
        }
        return seconds;
      }),
  );

/** A fraction in [0, 1] read from the environment. */
export const fraction = (fallback: number) =>
  z.preprocess(
    blankToUndefined,
    z.coerce
      .number({ error: 'must be a number between 0 and 1' })
      .min(0, 'must be at least 0')
      .max(1, 'must be at most 1')
      .default(fallback),
  );

/** `true`/`false`/`1`/`0`/`yes`/`no`, case-insensitive. */
export const boolean = (fallback: boolean) =>
  z.preprocess(
    blankToUndefined,
    z
      .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'must be true or false' })
      .transform((value) => value === 'true' || value === '1' || value === 'yes')
      .default(fallback),
  );

/** A string that is a URL with one of the given schemes. */
const schemedUrl = (schemes: ReadonlyArray<string>) =>
  z.string().refine(
    (value) => {
      try {
        return schemes.includes(new URL(value).protocol.replace(/:$/, ''));
      } catch {
        return false;
      }
    },
    { error: `must be a URL starting with ${schemes.map((s) => `${s}://`).join(' or ')}` },
  );

/** A URL with one of the given schemes, or undefined when unset or blank. */
export const url = (schemes: ReadonlyArray<string>) => z.preprocess(blankToUndefined, schemedUrl(schemes).optional());

/**
 * A URL with one of the given schemes, or `fallback` when unset or blank. The default sits inside
 * the blank check: a `.default()` outside it would see `''`, not undefined, and refuse it.
 */
export const urlOr = (schemes: ReadonlyArray<string>, fallback: string) =>
  z.preprocess(blankToUndefined, schemedUrl(schemes).default(fallback));

/** A Redis node's address: a host (name, IPv4, or IPv6 in brackets) and a port. */
export interface RedisNode {
  readonly host: string;
  readonly port: number;
}

const NODE_ADDRESS = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9._-]+)):(\d{1,5})$/;

/**
 * `host:port,host:port,…`, the seed nodes of a Redis Cluster, or undefined when unset or blank.
 * Any one reachable node is enough for the client to find the rest; more survive one being down.
 */
export const redisNodes = () =>
  z.preprocess(
    blankToUndefined,
    z
      .string()
      .transform((text, context): ReadonlyArray<RedisNode> => {
        const entries = text
          .split(',')
          .map((entry) => entry.trim())
          .filter((entry) => entry !== '');
        const nodes: RedisNode[] = [];
        for (const entry of entries) {
          const match = NODE_ADDRESS.exec(entry);
          const port = Number(match?.[3]);
          if (match === null || !(port >= 1 && port <= 65_535)) {
            context.addIssue({
              code: 'custom',
              message: `must be a comma-separated list of host:port (e.g. redis-1:6379,redis-2:6379); "${entry}" is not one`,
            });
            return z.NEVER;
          }
          nodes.push({ host: match[1] ?? match[2] ?? '', port });
        }
        if (nodes.length === 0) {
          context.addIssue({ code: 'custom', message: 'must name at least one host:port' });
          return z.NEVER;
        }
        return nodes;
      })
      .optional(),
  );

/** A comma-separated list of distinct whole numbers from 0, or undefined when unset or blank. */
export const indexList = () =>
  z.preprocess(
    blankToUndefined,
    z
      .string()
      .transform((text, context): ReadonlyArray<number> => {
        const entries = text.split(',').map((entry) => entry.trim());
        if (!entries.every((entry) => /^\d{1,6}$/.test(entry))) {
          context.addIssue({ code: 'custom', message: 'must be a comma-separated list of shard numbers (e.g. 0,2,4)' });
          return z.NEVER;
        }
        return [...new Set(entries.map(Number))].sort((a, b) => a - b);
      })
      .optional(),
  );

/** An optional non-empty string. */
export const optionalText = () => z.preprocess(blankToUndefined, z.string().optional());

export const logLevel = () =>
  z.preprocess(
    blankToUndefined,
    z
      .enum(['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly'], {
        error: 'must be one of error, warn, info, http, verbose, debug, silly',
      })
      .default('info'),
  );

export const logFormat = () =>
  z.preprocess(blankToUndefined, z.enum(['json', 'pretty'], { error: 'must be json or pretty' }).default('json'));
