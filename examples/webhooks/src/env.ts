import { z } from 'zod';

/*
 * Every variable this example reads, and the only file that reads them: the task module, the
 * migration script and the fake provider each call the function they need with `process.env`.
 */

/** The environment, or any object of the same variables (specs pass their own). */
export type Env = Readonly<Record<string, string | undefined>>;

const httpUrl = z.url({ protocol: /^https?$/ });

const read = <T>(env: Env, variable: string, schema: z.ZodType<T>, hint: string): T => {
  const raw = env[variable]?.trim();
  if (raw === undefined || raw === '') throw new Error(`${variable} is not set: ${hint}`);
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    throw new Error(`${variable} must be ${hint}; got ${JSON.stringify(raw)} (${z.prettifyError(parsed.error)})`);
  }
  return parsed.data;
};

/**
 * The webhook provider's base URL (`WEBHOOKS_PROVIDER_URL`), without a trailing slash. Read when
 * the task module loads, so a worker without it stops at start, before it takes any task, rather
 * than failing every delivery at run time.
 *
 * @example
 * readProviderUrl({ WEBHOOKS_PROVIDER_URL: 'http://127.0.0.1:8090/' }); // 'http://127.0.0.1:8090'
 */
export const readProviderUrl = (env: Env): string =>
  read(
    env,
    'WEBHOOKS_PROVIDER_URL',
    httpUrl,
    "the http(s) base URL of the webhook provider's API, e.g. http://127.0.0.1:8090 for the fake provider (npm run fake-provider)",
  ).replace(/\/+$/, '');

/** Sluice's default, so that `sluice migrate` and the example's migration find the same database. */
const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/sluice';

/**
 * PostgreSQL for the example's own migration (`DATABASE_URL`): the database Sluice uses, with
 * Sluice's default when unset.
 */
export const readDatabaseUrl = (env: Env): string =>
  env.DATABASE_URL === undefined
    ? DEFAULT_DATABASE_URL
    : read(
        env,
        'DATABASE_URL',
        z.url({ protocol: /^postgres(ql)?$/ }),
        `a postgres:// URL, e.g. ${DEFAULT_DATABASE_URL}`,
      );

/** The port the standalone fake provider listens on (`FAKE_PROVIDER_PORT`, default 8090; 0 picks a free one). */
export const readFakeProviderPort = (env: Env): number =>
  env.FAKE_PROVIDER_PORT === undefined
    ? 8090
    : read(env, 'FAKE_PROVIDER_PORT', z.coerce.number().int().min(0).max(65_535), 'a port number from 0 to 65535');
