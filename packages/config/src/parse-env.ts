import type { z } from 'zod';
import { ConfigError } from './config-error.js';

export type Env = Readonly<Record<string, string | undefined>>;

/** Parses `env` with `schema`, turning zod's issues into one ConfigError naming each variable. */
export const parseEnv = <S extends z.ZodType>(schema: S, env: Env): z.output<S> => {
  const result = schema.safeParse(env);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => {
        const variable = String(issue.path[0] ?? '(environment)');
        const raw = env[variable];
        return {
          variable,
          message: raw === undefined ? issue.message : `${issue.message} (got ${JSON.stringify(raw)})`,
        };
      }),
    );
  }
  return result.data;
};

/** Recursively freezes a plain configuration object. */
export const deepFreeze = <T>(value: T): T => {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
};
