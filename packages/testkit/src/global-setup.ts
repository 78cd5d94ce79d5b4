import { loadTestConfig } from '@sluice/config';
import type { TestProject } from 'vitest/node';
import { startPostgresServer } from './postgres-server.js';
import { startRedisServer } from './redis-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The run's Redis: a throwaway redis-server, or TEST_REDIS_URL. */
    redisUrl: string;
    /** The run's PostgreSQL maintenance database URL: a throwaway server, or TEST_DATABASE_URL. */
    postgresUrl: string;
  }
}

/**
 * vitest globalSetup: one throwaway redis-server and one PostgreSQL per test run, unless
 * TEST_REDIS_URL / TEST_DATABASE_URL point at servers to use instead. Tests isolate themselves
 * with their own queue names and databases (see `test` in fixtures.ts).
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const config = loadTestConfig();
  const [redis, postgres] = await Promise.all([
    config.redisUrl === undefined
      ? startRedisServer(config.redisServerBin === undefined ? {} : { binary: config.redisServerBin })
      : undefined,
    config.databaseUrl === undefined ? startPostgresServer({ durable: false }) : undefined,
  ]);
  project.provide('redisUrl', config.redisUrl ?? redis?.url ?? '');
  project.provide('postgresUrl', config.databaseUrl ?? postgres?.url('postgres') ?? '');
  return async () => {
    await Promise.all([redis?.stop(), postgres?.stop()]);
  };
}
