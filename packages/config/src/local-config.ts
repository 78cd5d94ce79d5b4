import { resolve } from 'node:path';
import { z } from 'zod';
import { integer, optionalText, url } from './env-schema.js';
import { deepFreeze, parseEnv, type Env } from './parse-env.js';

const devstackSchema = z.object({
  PORT: integer(8038, 0, 65_535),
  WORKERS: integer(2, 1, 64),
  REDIS_URL: url(['redis', 'rediss']),
  DATABASE_URL: url(['postgres', 'postgresql']),
  REDIS_SERVER_BIN: optionalText(),
  API_URL: url(['http', 'https']),
  SLUICE_TASKS: optionalText(),
  // Set by npm to the folder `npm start` was typed in; npm itself runs scripts from the root.
  INIT_CWD: optionalText(),
});

/** What `npm start` needs to decide which services to start itself. */
export interface DevstackConfig {
  readonly port: number;
  readonly workers: number;
  /** Set when the user brings their own Redis; otherwise a local one is started. */
  readonly redisUrl?: string;
  /** Set when the user brings their own PostgreSQL; otherwise an embedded one is started. */
  readonly databaseUrl?: string;
  /** Path of `redis-server` when it is not on PATH. */
  readonly redisServerBin?: string;
  /** Where `npm run demo` finds the api (default http://localhost:PORT). */
  readonly apiUrl?: string;
  /**
   * The absolute path of the task module the api and the workers load (`SLUICE_TASKS`), a
   * relative one taken from the folder `npm start` was typed in, as the user meant it: npm runs
   * the script from the repository root, and the children run there too.
   */
  readonly tasksModule?: string;
}

export const loadDevstackConfig = (env: Env = process.env): DevstackConfig => {
  const raw = parseEnv(devstackSchema, env);
  return deepFreeze({
    port: raw.PORT,
    workers: raw.WORKERS,
    ...(raw.REDIS_URL === undefined ? {} : { redisUrl: raw.REDIS_URL }),
    ...(raw.DATABASE_URL === undefined ? {} : { databaseUrl: raw.DATABASE_URL }),
    ...(raw.REDIS_SERVER_BIN === undefined ? {} : { redisServerBin: raw.REDIS_SERVER_BIN }),
    ...(raw.API_URL === undefined ? {} : { apiUrl: raw.API_URL }),
    ...(raw.SLUICE_TASKS === undefined ? {} : { tasksModule: resolve(raw.INIT_CWD ?? '', raw.SLUICE_TASKS) }),
  });
};

const testSchema = z.object({
  TEST_REDIS_URL: url(['redis', 'rediss']),
  TEST_DATABASE_URL: url(['postgres', 'postgresql']),
  REDIS_SERVER_BIN: optionalText(),
});

/** Servers a test run may be pointed at instead of starting throwaway ones. */
export interface TestConfig {
  readonly redisUrl?: string;
  readonly databaseUrl?: string;
  readonly redisServerBin?: string;
}

export const loadTestConfig = (env: Env = process.env): TestConfig => {
  const raw = parseEnv(testSchema, env);
  return deepFreeze({
    ...(raw.TEST_REDIS_URL === undefined ? {} : { redisUrl: raw.TEST_REDIS_URL }),
    ...(raw.TEST_DATABASE_URL === undefined ? {} : { databaseUrl: raw.TEST_DATABASE_URL }),
    ...(raw.REDIS_SERVER_BIN === undefined ? {} : { redisServerBin: raw.REDIS_SERVER_BIN }),
  });
};
