/**
 * The whole local stack, in order: local Redis and PostgreSQL (unless configured), migrations,
 * the api and the workers under supervision, a wait for the api's health, the banner; then, on
 * request, the reverse: api and workers first (they flush and commit their open groups), then
 * PostgreSQL and Redis.
 *
 * A stop may be requested at any point of start-up: each step checks for it, and whatever was
 * started so far is stopped. A second request forces: the api and workers get SIGKILL.
 */
import { access } from 'node:fs/promises';
import { relative } from 'node:path';
import { API_NODE_OPTIONS, WORKER_NODE_OPTIONS, type DevstackConfig } from '@sluice/config';
import { formatBanner } from './banner.js';
import { childEnv } from './child-env.js';
import { prepareDataDirs } from './data-dirs.js';
import { DevstackError } from './devstack-error.js';
import { waitForHealth } from './health.js';
import { acquireInstanceLock, type InstanceLock } from './instance-lock.js';
import { stopLeftovers } from './leftovers.js';
import type { LogStream } from './log-stream.js';
import { runMigrations } from './migrations.js';
import type { DevstackPaths } from './paths.js';
import { isPortFree, workerMetricsPorts } from './ports.js';
import { needsLocalServices, startServices, type Services } from './services.js';
import { createSupervisor, type Supervisor, type SupervisorOptions } from './supervisor.js';

/** Supervision timings the caller may shorten (tests); see SupervisorOptions for each. */
export type SupervisionTimings = Partial<
  Pick<SupervisorOptions, 'stopGraceMs' | 'backoffMs' | 'maxBackoffMs' | 'maxRestarts' | 'stableAfterMs'>
>;

export interface StackOptions {
  readonly config: DevstackConfig;
  readonly paths: DevstackPaths;
  readonly log: LogStream;
  readonly supervision?: SupervisionTimings;
  /** How long to wait for the api's first 200 from /actuator/health, in ms. Default 60,000. */
  readonly healthTimeoutMs?: number;
}

export interface Stack {
  /** Resolves with the exit code for the process once everything has stopped. */
  readonly done: Promise<number>;
  /** First call: a clean stop. Any later call: force (SIGKILL the api and workers). */
  requestStop(reason: string): void;
}

/** The worker grace is 30 s (SHUTDOWN_GRACE_MS); ours leaves it time to exit after that. */
const APP_STOP_GRACE_MS = 35_000;

/** The names that appear in the log's prefix column, so it is wide enough from the start. */
export const logNames = (workers: number): ReadonlyArray<string> => [
  'devstack',
  'redis',
  'postgres',
  'migrate',
  'api',
  ...Array.from({ length: workers }, (_, index) => `worker-${index + 1}`),
];

const exists = (path: string): Promise<boolean> =>
  access(path).then(
    () => true,
    () => false,
  );

/** Fails early, with the fix, when the build has not produced what we are about to run. */
const checkBuilt = async (paths: DevstackPaths): Promise<void> => {
  const entries = [paths.migrateEntry, paths.apiEntry, paths.workerEntry];
  const missing: string[] = [];
  for (const entry of entries) {
    if (!(await exists(entry))) missing.push(relative(paths.root, entry));
  }
  if (missing.length > 0) {
    throw new DevstackError(
      `Not built yet: ${missing.join(', ')}. Run \`npm run build\` and fix what it reports ` +
        '(`npm start` builds first, so a build error above is the cause).',
    );
  }
};

/**
 * Starts the stack; `done` settles once it has stopped again.
 *
 * @example
 * const stack = startStack({ config: loadDevstackConfig(), paths: devstackPaths(), log });
 * process.on('SIGINT', () => stack.requestStop('Ctrl-C'));
 * process.exitCode = await stack.done;
 */
export const startStack = (options: StackOptions): Stack => {
  const { config, paths, log } = options;
  const stopRequested = new AbortController();
  const stopping = new Promise<void>((resolve) =>
    stopRequested.signal.addEventListener('abort', () => resolve(), { once: true }),
  );
  const supervisors: Supervisor[] = [];
  let forced = false;
  let exitCode = 0;

  const requestStop = (reason: string): void => {
    if (!stopRequested.signal.aborted) {
      log.line('devstack', `${reason} — stopping (press Ctrl-C again to force)`, 'notice');
      stopRequested.abort();
      return;
    }
    if (forced) return;
    forced = true;
    log.line('devstack', 'forcing: killing the api and workers now (open groups go back to Redis)', 'warn');
    for (const supervisor of supervisors) supervisor.kill();
  };

  /** The stack is useless without the api, or without any worker: stop it and say why. */
  const onGiveUp = (): void => {
    const apiFailed = supervisors.some((s) => s.name === 'api' && s.state() === 'failed');
    const workers = supervisors.filter((s) => s.name.startsWith('worker-'));
    const workersFailed = workers.length > 0 && workers.every((s) => s.state() === 'failed');
    if (!apiFailed && !workersFailed) return;
    exitCode = 1;
    requestStop(apiFailed ? 'the api keeps crashing' : 'every worker keeps crashing');
  };

  const startApps = (services: Services, metricsPorts: ReadonlyArray<number>): void => {
    const shared = {
      REDIS_URL: services.redisUrl,
      DATABASE_URL: services.databaseUrl,
      // Absolute already: the children run from the repository root, not where the user typed.
      ...(config.tasksModule === undefined ? {} : { SLUICE_TASKS: config.tasksModule }),
    };
    // Children write to a pipe, so they would turn their colours off; the terminal has them.
    const defaults = { LOG_FORMAT: 'pretty', ...(log.colour ? { FORCE_COLOR: '1' } : {}) };
    const common = {
      cwd: paths.root,
      log,
      stopGraceMs: APP_STOP_GRACE_MS,
      ...options.supervision,
      onStateChange: (state: string) => {
        if (state === 'failed') onGiveUp();
      },
    };
    supervisors.push(
      createSupervisor({
        ...common,
        name: 'api',
        args: [paths.apiEntry],
        // The heap settings the image gives them too; a NODE_OPTIONS of the user's own wins.
        env: childEnv({ ...defaults, NODE_OPTIONS: API_NODE_OPTIONS }, { ...shared, PORT: String(config.port) }),
      }),
    );
    for (let index = 1; index <= config.workers; index += 1) {
      const workerId = `worker-${index}`;
      supervisors.push(
        createSupervisor({
          ...common,
          name: workerId,
          args: [paths.workerEntry],
          // PORT is the api's; each worker serves its own /metrics on a port of its own.
          env: childEnv(
            { ...defaults, NODE_OPTIONS: WORKER_NODE_OPTIONS },
            { ...shared, WORKER_ID: workerId, METRICS_PORT: String(metricsPorts[index - 1]) },
            ['PORT'],
          ),
        }),
      );
    }
    for (const supervisor of supervisors) supervisor.start();
  };

  const run = async (): Promise<void> => {
    let services: Services | undefined;
    let lock: InstanceLock | undefined;
    try {
      if (config.port === 0) {
        throw new DevstackError('PORT=0 is not supported by `npm start`: the api needs a known port.');
      }
      await checkBuilt(paths);
      const local = needsLocalServices(config);
      const dirs = local ? await prepareDataDirs(paths) : { redisDir: '', postgresDir: '' };
      if (local) {
        lock = await acquireInstanceLock(paths.lockFile);
        // Before the port check: an orphaned api from a crashed run would hold the port.
        await stopLeftovers({
          ...dirs,
          ...(lock.previousOwner === undefined ? {} : { deadOwner: lock.previousOwner }),
          log,
        });
      }
      if (!(await isPortFree(config.port))) {
        throw new DevstackError(
          `Port ${config.port} is already in use (another \`npm start\`?). Stop that, or choose another port: PORT=8039 npm start`,
        );
      }
      if (local) {
        const which = [config.redisUrl ? '' : 'Redis', config.databaseUrl ? '' : 'PostgreSQL'].filter(Boolean);
        log.line('devstack', `starting local ${which.join(' and ')} (data in ${relative(paths.root, paths.dataDir)}/)`);
      }
      services = await startServices({ config, dirs, log });
      if (stopRequested.signal.aborted) return;

      log.line('devstack', 'running migrations');
      await runMigrations({
        entry: paths.migrateEntry,
        cwd: paths.root,
        env: childEnv({}, { DATABASE_URL: services.databaseUrl }),
        log,
        signal: stopRequested.signal,
      });
      if (stopRequested.signal.aborted) return;

      log.line('devstack', `starting the api and ${config.workers} worker${config.workers === 1 ? '' : 's'}`);
      const metricsPorts = await workerMetricsPorts(config.workers);
      startApps(services, metricsPorts);
      const healthUrl = `http://127.0.0.1:${config.port}/actuator/health`;
      let health = await waitForHealth({
        url: healthUrl,
        signal: stopRequested.signal,
        ...(options.healthTimeoutMs === undefined ? {} : { timeoutMs: options.healthTimeoutMs }),
      });
      if (!health.healthy && !stopRequested.signal.aborted) {
        // Slow, not necessarily broken (a dependency still starting): say so, and keep waiting.
        log.line(
          'devstack',
          `the api is not healthy yet (GET /actuator/health: ${health.last}); still waiting — see the api's log above`,
          'warn',
        );
        health = await waitForHealth({ url: healthUrl, signal: stopRequested.signal, timeoutMs: Infinity });
      }
      if (health.healthy) {
        log.write(
          formatBanner({
            port: config.port,
            workers: config.workers,
            metricsPorts,
            services: services.info,
            root: paths.root,
            log,
            ...(config.tasksModule === undefined ? {} : { tasksModule: config.tasksModule }),
          }),
        );
      }
      await stopping;
    } catch (error) {
      exitCode = 1;
      if (error instanceof DevstackError) log.line('devstack', `✗ ${error.message}`, 'error');
      else log.line('devstack', `✗ ${(error as Error).stack ?? String(error)}`, 'error');
    } finally {
      await shutdown(services, lock);
    }
  };

  const shutdown = async (services: Services | undefined, lock: InstanceLock | undefined): Promise<void> => {
    if (supervisors.some((s) => s.state() === 'running' || s.state() === 'backoff')) {
      const workers = supervisors.length - 1;
      log.line(
        'devstack',
        `stopping the api and ${workers} worker${workers === 1 ? '' : 's'} ` +
          `(open groups are flushed and committed; up to ${APP_STOP_GRACE_MS / 1000} s)`,
      );
    }
    await Promise.all(supervisors.map((supervisor) => supervisor.stop()));
    const ours = services?.info.filter((service) => service.dataDir !== undefined) ?? [];
    if (ours.length > 0) {
      const names = ours.map((service) => (service.name === 'redis' ? 'Redis' : 'PostgreSQL'));
      log.line('devstack', `stopping ${names.reverse().join(' and ')}`);
    }
    await services?.stop();
    await lock?.release().catch(() => undefined);
    log.line(
      'devstack',
      exitCode === 0 ? 'stopped' : 'stopped (after an error, see above)',
      exitCode === 0 ? 'notice' : 'error',
    );
  };

  const done = run().then(() => exitCode);
  return { done, requestStop };
};
