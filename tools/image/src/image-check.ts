import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createClient } from '@sluice/client';
import type { BuilderKind } from './builder.js';
import { freePort } from '@sluice/testkit/servers';
import { CHECK_QUEUE, checkDatabaseUrl, completedRows, resetCheckState } from './check-environment.js';
import { devDependencyNames } from './dev-dependency-names.js';
import { auditImage } from './image-audit.js';
import { type ImageConfig, inspectImage, openImage, walkFiles } from './image-files.js';
import type { ImageUser } from './image-user.js';
import { containerProblem, type ImageProcess, processUid, type RunMode, startFromImage } from './image-process.js';
import { reachableModules } from './module-graph.js';
import { runtimePackages } from './runtime-closure.js';
import { ENTRY_POINTS, RUNTIME_WORKSPACES } from './runtime-layout.js';
import { sizeReport } from './size-budget.js';

export interface CheckOptions {
  readonly builder: BuilderKind;
  readonly ref: string;
  /** The Redis and PostgreSQL the processes use; the check keeps to a queue and database of its own. */
  readonly redisUrl: string;
  readonly databaseUrl: string;
  /** Tasks submitted through the api, all of which must commit. */
  readonly tasks?: number;
  readonly log: (line: string) => void;
}

/** What the check found: nothing in `problems` is a pass. */
export interface CheckReport {
  readonly problems: ReadonlyArray<string>;
  /** False when the audit failed and nothing was started. */
  readonly ran: boolean;
}

const wait = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `url` until it answers 200, the process exits, or the time is up. */
const answers = async (url: string, process: ImageProcess, timeoutMs: number): Promise<boolean> => {
  let exited = false;
  void process.exited.then(() => (exited = true));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !exited) {
    const status = await fetch(url, { signal: AbortSignal.timeout(2_000) }).then(
      (response) => response.status,
      () => 0,
    );
    if (status === 200) return true;
    await wait(250);
  }
  return false;
};

/** A process's last lines, indented under the problem they explain. */
const tail = (text: string): string =>
  text
    .split('\n')
    .map((line) => `    ${line}`)
    .join('\n');

/**
 * The check's first half, on an image's opened filesystem: what /app holds, whom the image runs
 * as, and its size against the budget. Logs the size and, when it passes, a summary.
 */
const auditOpenedImage = async (
  config: ImageConfig,
  root: string,
  log: (line: string) => void,
): Promise<{ readonly problems: string[]; readonly user: ImageUser | undefined }> => {
  const problems: string[] = [];
  const app = join(root, config.workingDir === '' ? '/' : config.workingDir);
  const passwd = await readFile(join(root, 'etc/passwd'), 'utf8').catch(() => '');
  const appFiles = await walkFiles(app).catch(() => []);
  if (appFiles.length === 0) problems.push(`the image's WORKDIR ${config.workingDir || '/'} holds nothing`);
  const lockfile = JSON.parse(await readFile(join(app, 'package-lock.json'), 'utf8').catch(() => '{"packages":{}}'));
  let neededModules: ReadonlySet<string> = new Set();
  try {
    neededModules = new Set(
      await reachableModules({ root: app, workspaces: RUNTIME_WORKSPACES, entries: ENTRY_POINTS }),
    );
  } catch (error) {
    problems.push(`the entry points cannot load all their modules: ${error instanceof Error ? error.message : error}`);
  }
  const audit = auditImage({
    user: config.user,
    passwd,
    appFiles,
    workspaceDirs: RUNTIME_WORKSPACES.map((each) => each.dir),
    entryPoints: ENTRY_POINTS,
    neededModules,
    neededPackages: runtimePackages(
      lockfile,
      RUNTIME_WORKSPACES.map((each) => each.dir),
    ),
    devPackageNames: devDependencyNames(lockfile),
  });
  problems.push(...audit.problems);
  const size = sizeReport(config.sizeBytes, audit.bytes);
  for (const line of size.lines) log(`size: ${line}`);
  if (size.problem !== undefined) problems.push(size.problem);
  const { user } = audit;
  if (problems.length > 0 || user === undefined) return { problems, user: undefined };
  log(
    `audit: ${appFiles.length} entries under ${config.workingDir}: ${neededModules.size} compiled modules, ` +
      'production packages only; runs as ' +
      `${user.name} (uid ${user.uid})`,
  );

  return { problems, user };
};

/**
 * Only the audit of {@link checkImage}, nothing started: for an image that must pass it.
 *
 * @example
 * const { problems } = await auditBuiltImage('podman', 'localhost/sluice:dev', console.error);
 */
export const auditBuiltImage = async (
  builder: BuilderKind,
  ref: string,
  log: (line: string) => void,
): Promise<{ readonly problems: ReadonlyArray<string> }> => {
  const config = await inspectImage(builder, ref);
  const image = await openImage(builder, ref);
  try {
    return { problems: (await auditOpenedImage(config, image.root, log)).problems };
  } finally {
    await image.release();
  }
};

/**
 * Audits the image's files and user, then runs migrate, the api and a worker from it against
 * the given Redis and PostgreSQL, submits tasks through the api and asserts they commit, the
 * dashboard and Bull Board answer, and every process runs as the image's non-root user. The
 * audit failing stops the check before anything starts.
 *
 * @example
 * const { problems } = await checkImage({ builder: 'podman', ref: 'localhost/sluice:dev', redisUrl, databaseUrl, log });
 */
export const checkImage = async (options: CheckOptions): Promise<CheckReport> => {
  const { log } = options;
  const config = await inspectImage(options.builder, options.ref);
  const image = await openImage(options.builder, options.ref);
  const running: ImageProcess[] = [];
  try {
    const { problems, user } = await auditOpenedImage(config, image.root, log);
    if (problems.length > 0 || user === undefined) return { problems, ran: false };

    const unstartable = await containerProblem(options.builder, options.ref);
    if (unstartable !== undefined && options.builder === 'docker') {
      problems.push(`a container of the image does not start: ${unstartable}`);
      return { problems, ran: false };
    }
    const mode: RunMode =
      unstartable === undefined
        ? { kind: 'container', builder: options.builder, ref: options.ref }
        : { kind: 'chroot', root: image.root, user, workingDir: config.workingDir, env: config.env };
    log(
      mode.kind === 'container'
        ? 'run: as containers'
        : `run: no container starts here (${unstartable}); chroot into the image as ${user.name} (uid ${user.uid})`,
    );

    await resetCheckState(options.redisUrl, options.databaseUrl);
    const [port, metricsPort] = [await freePort(), await freePort()];
    const env = {
      REDIS_URL: options.redisUrl,
      DATABASE_URL: checkDatabaseUrl(options.databaseUrl),
      QUEUE_NAME: CHECK_QUEUE,
      PORT: String(port),
      METRICS_PORT: String(metricsPort),
      SHUTDOWN_GRACE_MS: '10000',
    };

    const migrate = startFromImage(mode, 'migrate', ['node', 'packages/store/dist/bin/migrate.js'], env);
    let timer: NodeJS.Timeout | undefined;
    const migrated = await Promise.race([
      migrate.exited,
      new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), 180_000))),
    ]);
    clearTimeout(timer);
    if (migrated !== 0) {
      await migrate.stop();
      problems.push(
        `migrate ${migrated === 'timeout' ? 'took over 180 s' : `exited with ${migrated}`}:\n${tail(migrate.output())}`,
      );
      return { problems, ran: true };
    }
    log('run: migrate exited 0');

    const api = startFromImage(mode, 'api', ['node', 'apps/api/dist/main.js'], env);
    const worker = startFromImage(mode, 'worker', ['node', 'apps/worker/dist/main.js'], env);
    running.push(api, worker);
    const baseUrl = `http://127.0.0.1:${port}`;
    const [apiReady, workerLive] = await Promise.all([
      answers(`${baseUrl}/readyz`, api, 90_000),
      answers(`http://127.0.0.1:${metricsPort}/livez`, worker, 90_000),
    ]);
    if (!apiReady) problems.push(`the api did not answer /readyz:\n${tail(api.output())}`);
    if (!workerLive) problems.push(`the worker did not answer /livez:\n${tail(worker.output())}`);
    if (!apiReady || !workerLive) return { problems, ran: true };

    for (const each of [api, worker]) {
      const pid = await each.hostPid();
      const uid = pid === undefined ? undefined : await processUid(pid);
      if (uid === undefined) problems.push(`could not read the ${each.name}'s user id (pid ${pid})`);
      else if (uid === 0) problems.push(`the ${each.name} runs as root`);
      else if (uid !== user.uid) problems.push(`the ${each.name} runs as uid ${uid}, not the image's ${user.uid}`);
      else log(`run: the ${each.name} runs as uid ${uid} (pid ${pid})`);
    }

    const count = options.tasks ?? 300;
    const client = createClient({ baseUrl });
    const started = Date.now();
    const submitted = await client.submitMany(
      Array.from({ length: count }, (_, index) => ({ taskType: 'EMAIL', payload: `image check ${index}` })),
    );
    const views = await Promise.all(
      submitted.taskIds.map((id) => client.waitFor(id, { timeoutMs: 120_000 }).catch(() => undefined)),
    );
    const completed = views.filter((view) => view?.status === 'COMPLETED').length;
    const rows = await completedRows(options.databaseUrl);
    if (completed !== count || rows !== count) {
      problems.push(`${count} tasks submitted: ${completed} COMPLETED through the api, ${rows} rows in PostgreSQL`);
    } else {
      log(`run: ${count} tasks submitted and committed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    }

    // The live dashboard's page and Bull Board's, and the batches the dashboard draws: as many
    // tasks committed in them as were submitted (the database is the check's own).
    for (const path of ['/', '/admin/queues']) {
      const response = await fetch(`${baseUrl}${path}`);
      const body = await response.text();
      if (response.status !== 200 || !/<html/i.test(body)) {
        problems.push(`GET ${path} answered ${response.status} ${response.headers.get('content-type')}, not a page`);
      }
    }
    const [{ items }, stats] = await Promise.all([client.batches({ limit: 100 }), client.stats()]);
    const inBatches = items.reduce((sum, batch) => sum + batch.completed, 0);
    if (inBatches !== count) problems.push(`the dashboard's batches hold ${inBatches} completed tasks, not ${count}`);
    if (stats.totals.completed !== count) {
      problems.push(`the dashboard's stats count ${stats.totals.completed} completed tasks, not ${count}`);
    }
    if (problems.length === 0) {
      log(
        `run: the dashboard (/) and Bull Board answer; its stats and ${items.length} batches hold the ${count} tasks`,
      );
    }

    running.length = 0;
    for (const each of [worker, api]) {
      const code = await each.stop();
      if (code !== 0) problems.push(`the ${each.name} exited with ${code} on SIGTERM:\n${tail(each.output())}`);
    }
    return { problems, ran: true };
  } finally {
    await Promise.all(running.map((each) => each.stop()));
    await resetCheckState(options.redisUrl, options.databaseUrl).catch(() => undefined);
    await image.release();
  }
};
