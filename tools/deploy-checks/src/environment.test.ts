import { CONFIG_VARIABLES, ConfigError, loadConfig, type Env } from '@sluice/config';
import { describe, expect, it } from 'vitest';
import { readComposeFile } from './compose-file.js';
import { DEPLOY_FILES, readCompose, repoPath, sluiceServices } from './deployment.js';

const compose = await readCompose();
const services = sluiceServices(compose);

/** The variables a ConfigError names, or none when `env` is accepted. */
const refusedVariables = (env: Env): ReadonlyArray<string> => {
  try {
    loadConfig(env);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.issues.map((issue) => issue.variable);
    throw error;
  }
};

const without = (env: Readonly<Record<string, string>>, variable: string): Env =>
  Object.fromEntries(Object.entries(env).filter(([key]) => key !== variable));

describe('the environment compose gives the api, the workers and the migrations', () => {
  it('finds the three services that run the Sluice image', () => {
    expect(services.map(([name]) => name).sort()).toEqual(['api', 'migrate', 'worker']);
  });

  it('sets only variables that @sluice/config reads, so a misspelt one cannot pass silently', () => {
    for (const [name, service] of services) {
      // NODE_OPTIONS is Node's own (the worker's heap settings), not the apps' configuration.
      const unknown = Object.keys(service.environment).filter(
        (key) => !CONFIG_VARIABLES.includes(key) && key !== 'NODE_OPTIONS',
      );
      expect(unknown, name).toEqual([]);
    }
  });

  it('sets every variable the apps read, or leaves it to a default the apps accept', () => {
    for (const [name, service] of services) {
      for (const variable of CONFIG_VARIABLES) {
        if (variable in service.environment) continue;
        expect(refusedVariables(without(service.environment, variable)), `${name}: ${variable} unset`).not.toContain(
          variable,
        );
      }
    }
  });

  it('gives values every process accepts at start', () => {
    for (const [name, service] of services) expect(refusedVariables(service.environment), name).toEqual([]);
  });

  it.each([
    ['with the defaults', {}],
    ['with POSTGRES_PASSWORD set in .env', { POSTGRES_PASSWORD: 'from-dot-env' }],
  ])(
    'points every process at the redis and postgres services, never at the loopback defaults (%s)',
    async (_, variables) => {
      const file = await readComposeFile(repoPath(DEPLOY_FILES.compose), variables);
      const postgres = file.services.postgres?.environment ?? {};
      for (const [name, service] of sluiceServices(file)) {
        const config = loadConfig(service.environment);
        const redis = new URL(config.redisUrl);
        const database = new URL(config.databaseUrl);
        expect(redis.hostname, name).toBe('redis');
        expect(
          {
            host: database.hostname,
            user: decodeURIComponent(database.username),
            password: decodeURIComponent(database.password),
            database: database.pathname.slice(1),
          },
          name,
        ).toEqual({
          host: 'postgres',
          user: postgres.POSTGRES_USER,
          password: postgres.POSTGRES_PASSWORD,
          database: postgres.POSTGRES_DB,
        });
      }
    },
  );
});
