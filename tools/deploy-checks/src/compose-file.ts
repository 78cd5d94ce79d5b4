import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { interpolate, type Variables } from './compose-interpolation.js';

/** The parts of a compose service these checks read, after interpolation and YAML merges. */
export interface ComposeService {
  readonly image?: string;
  readonly build?: { readonly context: string; readonly dockerfile?: string };
  /** Exec form only: a string command would run through a shell. */
  readonly command?: ReadonlyArray<string> | string;
  /** Variables as the container sees them; `KEY=VALUE` lists are turned into a map. */
  readonly environment: Readonly<Record<string, string>>;
  readonly ports: ReadonlyArray<string>;
  readonly volumes: ReadonlyArray<string>;
  /**
   * What must run (or have run) first. `required: false` lets the service start when the
   * dependency is left out by the active profiles.
   */
  readonly dependsOn: Readonly<Record<string, { readonly condition: string; readonly required: boolean }>>;
  readonly healthcheck?: { readonly test: ReadonlyArray<string> | string };
  readonly replicas?: number;
  readonly stopGracePeriod?: string;
  readonly init?: boolean;
  readonly restart?: string;
  readonly containerName?: string;
  /** The profiles that enable the service; none: every `docker compose up` runs it. */
  readonly profiles: ReadonlyArray<string>;
}

export interface ComposeFile {
  readonly name?: string;
  readonly services: Readonly<Record<string, ComposeService>>;
  readonly volumes: ReadonlyArray<string>;
}

type Json = string | number | boolean | null | ReadonlyArray<Json> | { readonly [key: string]: Json };
type JsonObject = { readonly [key: string]: Json };

const isObject = (value: Json | undefined): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const substitute = (value: Json, variables: Variables): Json => {
  if (typeof value === 'string') return interpolate(value, variables);
  if (Array.isArray(value)) return value.map((item: Json) => substitute(item, variables));
  if (isObject(value)) {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, substitute(inner, variables)]));
  }
  return value;
};

const scalar = (value: Json | undefined): string | undefined =>
  typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : undefined;

const strings = (value: Json | undefined): ReadonlyArray<string> =>
  Array.isArray(value) ? value.map((item: Json) => scalar(item) ?? JSON.stringify(item)) : [];

const environmentOf = (value: Json | undefined): Record<string, string> => {
  if (Array.isArray(value)) {
    const entries = value
      .map((item: Json) => scalar(item) ?? '')
      .filter((item) => item.includes('='))
      .map((item) => [item.slice(0, item.indexOf('=')), item.slice(item.indexOf('=') + 1)] as const);
    return Object.fromEntries(entries);
  }
  if (!isObject(value)) return {};
  // A key without a value passes the variable through from the host: not set by the file.
  return Object.fromEntries(
    Object.entries(value).flatMap(([key, inner]) => {
      const text = scalar(inner);
      return text === undefined ? [] : [[key, text] as const];
    }),
  );
};

const dependsOnOf = (value: Json | undefined): Record<string, { condition: string; required: boolean }> => {
  if (Array.isArray(value)) {
    return Object.fromEntries(
      value.map((name: Json) => [String(name), { condition: 'service_started', required: true }]),
    );
  }
  if (!isObject(value)) return {};
  return Object.fromEntries(
    Object.entries(value).map(([name, spec]) => [
      name,
      {
        condition: (isObject(spec) ? scalar(spec.condition) : undefined) ?? 'service_started',
        required: !(isObject(spec) && spec.required === false),
      },
    ]),
  );
};

const serviceOf = (raw: JsonObject): ComposeService => {
  const build = raw.build;
  const healthcheck = raw.healthcheck;
  const deploy = raw.deploy;
  const command = raw.command;
  const replicas = isObject(deploy) ? deploy.replicas : undefined;
  const optional = <K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } =>
    (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
  return {
    ...optional('image', scalar(raw.image)),
    ...optional(
      'build',
      typeof build === 'string'
        ? { context: build }
        : isObject(build)
          ? {
              context: scalar(build.context) ?? '.',
              ...optional('dockerfile', scalar(build.dockerfile)),
            }
          : undefined,
    ),
    ...optional(
      'command',
      typeof command === 'string' ? command : Array.isArray(command) ? strings(command) : undefined,
    ),
    environment: environmentOf(raw.environment),
    ports: strings(raw.ports),
    volumes: strings(raw.volumes),
    dependsOn: dependsOnOf(raw.depends_on),
    ...optional(
      'healthcheck',
      isObject(healthcheck)
        ? { test: typeof healthcheck.test === 'string' ? healthcheck.test : strings(healthcheck.test) }
        : undefined,
    ),
    ...optional('replicas', typeof replicas === 'number' ? replicas : undefined),
    ...optional('stopGracePeriod', scalar(raw.stop_grace_period)),
    ...optional('init', typeof raw.init === 'boolean' ? raw.init : undefined),
    ...optional('restart', scalar(raw.restart)),
    ...optional('containerName', scalar(raw.container_name)),
    profiles: strings(raw.profiles),
  };
};

/**
 * Reads a compose file as `docker compose` would see it: YAML merge keys (`<<: *anchor`) applied
 * and `${VAR:-default}` replaced using `variables` (pass `{}` for what a bare `docker compose up`
 * does when neither the shell nor `.env` sets anything).
 *
 * @example
 * const compose = parseComposeFile(text, {});
 * compose.services['worker']?.replicas; // 3
 */
export const parseComposeFile = (text: string, variables: Variables): ComposeFile => {
  const document = substitute(parse(text, { merge: true }) as Json, variables);
  if (!isObject(document)) throw new Error('a compose file must be a YAML mapping');
  const services = document.services;
  const volumes = document.volumes;
  return {
    ...(typeof document.name === 'string' ? { name: document.name } : {}),
    services: isObject(services)
      ? Object.fromEntries(Object.entries(services).map(([name, raw]) => [name, serviceOf(isObject(raw) ? raw : {})]))
      : {},
    volumes: isObject(volumes) ? Object.keys(volumes) : [],
  };
};

/**
 * The services `docker compose --profile <each of profiles> up` runs: those without profiles, and
 * those with one of `profiles`.
 *
 * @example
 * Object.keys(enabledServices(compose, [])); // what a plain `docker compose up` runs
 */
export const enabledServices = (
  compose: ComposeFile,
  profiles: ReadonlyArray<string>,
): Readonly<Record<string, ComposeService>> =>
  Object.fromEntries(
    Object.entries(compose.services).filter(
      ([, service]) => service.profiles.length === 0 || service.profiles.some((profile) => profiles.includes(profile)),
    ),
  );

/** The value after `flag` in an exec-form command: `--appendfsync everysec` → `everysec`. */
export const argumentAfter = (command: ComposeService['command'], flag: string): string | undefined => {
  const args = typeof command === 'string' ? [] : (command ?? []);
  const index = args.indexOf(flag);
  return index === -1 ? undefined : args[index + 1];
};

/** Reads and parses a compose file from disk; see {@link parseComposeFile}. */
export const readComposeFile = async (path: string, variables: Variables): Promise<ComposeFile> =>
  parseComposeFile(await readFile(path, 'utf8'), variables);
