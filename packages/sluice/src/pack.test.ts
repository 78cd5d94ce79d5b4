import { execFile } from 'node:child_process';
import { lstat, mkdir, mkdtemp, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { GREET_TASK_MODULE, startNodeProcess, submitAndAwaitCommit, test, type NodeProcess } from '@sluice/testkit';
import { afterAll, beforeAll, describe, expect } from 'vitest';

/*
 * What a user gets from npm: the tarballs `npm pack` makes of the published workspaces, installed
 * into a project of its own outside the repository, which runs its own task module through the
 * `sluice` bin and through startApi/startWorker imported from 'sluice'.
 */

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const PUBLISHED = [
  '@sluice/api',
  '@sluice/batching',
  '@sluice/client',
  '@sluice/config',
  '@sluice/store',
  '@sluice/tasks',
  '@sluice/telemetry',
  '@sluice/worker',
  'sluice',
];

// The npm settings of the `npm test` that runs this spec (npm_config_*, npm_package_*) would
// steer the inner npm at this repository's workspace: pass the environment on without them.
const npmEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('npm_')));
// Bounded below the hook's timeout, so that an npm that cannot reach the registry (turbo passes
// no proxy or CA settings it was not told of: see globalPassThroughEnv) fails with npm's own
// words instead of a bare hook timeout, and is killed rather than left behind.
const NPM_TIMEOUT_MS = 150_000;
const npm = (args: ReadonlyArray<string>, cwd: string) =>
  promisify(execFile)('npm', [...args], {
    cwd,
    env: npmEnv,
    maxBuffer: 16 * 1024 * 1024,
    timeout: NPM_TIMEOUT_MS,
  }).catch((error: unknown) => {
    const { stderr = '', killed = false } = error as { stderr?: string; killed?: boolean };
    const why = killed ? `did not finish within ${NPM_TIMEOUT_MS / 1000} s` : 'failed';
    throw new Error(`npm ${args[0] ?? ''} ${why} (can it reach the registry?):\n${stderr.slice(-2_000)}`);
  });

interface PackedFile {
  readonly name: string;
  readonly filename: string;
  readonly files: ReadonlyArray<{ readonly path: string }>;
}

const APP_MODULE = `import { loadConfig, loadTaskTypes, startApi, startWorker } from 'sluice';

const config = loadConfig(process.env);
const taskTypes = await loadTaskTypes('./tasks.mjs');
const worker = await startWorker({ config, taskTypes });
const api = await startApi({ config, taskTypes, host: '127.0.0.1' });
console.log('app listening on ' + api.url);
process.once('SIGTERM', async () => {
  await api.close();
  await worker.close();
});
`;

/** A service of the project's that submits over HTTP with @sluice/client and waits for the task. */
const CLIENT_MODULE = `import { createClient } from '@sluice/client';

const sluice = createClient({ baseUrl: process.argv[2] });
const { id } = await sluice.submit('GREET', { name: 'Linus' }, { idempotencyKey: 'greet-linus' });
console.log(JSON.stringify(await sluice.waitFor(id, { timeoutMs: 60_000 })));
`;

/** One that enqueues straight into Redis with sluice's createEnqueuer, then re-sends. */
const ENQUEUER_MODULE = `import { Redis } from 'ioredis';
import { createEnqueuer, loadTaskTypes } from 'sluice';

const redis = new Redis(process.env.REDIS_URL, { enableOfflineQueue: false });
const enqueuer = createEnqueuer({ redis, taskTypes: await loadTaskTypes('./tasks.mjs'), queueName: process.env.QUEUE_NAME });
const first = await enqueuer.submit('GREET', { name: 'Margaret' }, { idempotencyKey: 'greet-margaret' });
const again = await enqueuer.submit('GREET', { name: 'Margaret' }, { idempotencyKey: 'greet-margaret' });
console.log(JSON.stringify({ first, again }));
await enqueuer.close();
redis.disconnect();
`;

let dir: string;
let project: string;
let packed: ReadonlyArray<PackedFile>;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-pack-'));
  project = join(dir, 'shop');
  await mkdir(join(dir, 'tarballs'));
  const workspaces = PUBLISHED.flatMap((name) => ['--workspace', name]);
  const { stdout } = await npm(['pack', '--json', '--pack-destination', join(dir, 'tarballs'), ...workspaces], ROOT);
  packed = JSON.parse(stdout) as ReadonlyArray<PackedFile>;

  await mkdir(project);
  await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'shop', private: true, type: 'module' }));
  await writeFile(join(project, 'tasks.mjs'), GREET_TASK_MODULE);
  await writeFile(join(project, 'app.mjs'), APP_MODULE);
  await writeFile(join(project, 'client.mjs'), CLIENT_MODULE);
  await writeFile(join(project, 'enqueue.mjs'), ENQUEUER_MODULE);
  const { zod, ioredis } = (
    JSON.parse(await readFile(join(ROOT, 'packages/tasks/package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    }
  ).dependencies;
  // Third-party packages come from npm's cache when it has them, as a user's second install does.
  await npm(
    [
      'install',
      '--prefer-offline',
      '--no-audit',
      '--no-fund',
      '--ignore-scripts',
      ...packed.map((tarball) => join(dir, 'tarballs', tarball.filename)),
      `zod@${zod}`,
      `ioredis@${ioredis}`,
    ],
    project,
  );
}, 180_000);
afterAll(() => rm(dir, { recursive: true, force: true }));

const settings = (redisUrl: string, databaseUrl: string, queueName: string) => ({
  REDIS_URL: redisUrl,
  DATABASE_URL: databaseUrl,
  QUEUE_NAME: queueName,
  BATCH_TIMEOUT_MS: '200',
  METRICS_PORT: '0',
  PORT: '0',
  LOG_FORMAT: 'json',
});

/** `sluice <args>` as npm installed it in the project's node_modules/.bin. */
const sluice = (args: ReadonlyArray<string>, env: Readonly<Record<string, string>>): NodeProcess =>
  startNodeProcess(join(project, 'node_modules/.bin/sluice'), env, { args, cwd: project });

const stopAll = async (processes: ReadonlyArray<NodeProcess>): Promise<void> => {
  for (const child of processes) child.kill('SIGTERM');
  for (const child of processes) expect((await child.exited).code, child.output()).toBe(0);
};

describe('the published packages', () => {
  test('pack their build, typings, README and license, and no specs or sources', () => {
    expect(packed.map((tarball) => tarball.name).sort()).toEqual([...PUBLISHED].sort());
    for (const tarball of packed) {
      const paths = tarball.files.map((file) => file.path);
      expect(paths, tarball.name).toEqual(
        expect.arrayContaining(['package.json', 'README.md', 'LICENSE', 'dist/index.js', 'dist/index.d.ts']),
      );
      expect(
        paths.filter((path) => /\.test\.|(^|\/)test-|^src\/|\.map$/.test(path)),
        tarball.name,
      ).toEqual([]);
    }
  });

  test('install into a project outside the repository, without a link back into it', async () => {
    for (const name of PUBLISHED) {
      const installed = join(project, 'node_modules', name);
      expect((await lstat(installed)).isSymbolicLink(), name).toBe(false);
      expect(await realpath(installed), name).not.toContain(ROOT);
    }
  });

  test('run the project’s task module through the sluice bin', async ({ redisUrl, databaseUrl, queueName }) => {
    const env = settings(redisUrl, databaseUrl, queueName);
    const migrate = sluice(['migrate'], env);
    expect((await migrate.exited).code, migrate.output()).toBe(0);
    const worker = sluice(['worker', '--tasks', 'tasks.mjs'], env);
    const api = sluice(['api', '--tasks', 'tasks.mjs'], env);
    try {
      await worker.waitForOutput(/"worker started"/);
      const { port } = JSON.parse(await api.waitForOutput(/"api listening"/)) as { port: number };
      expect(
        await submitAndAwaitCommit(`http://127.0.0.1:${port}`, { taskType: 'GREET', payload: { name: 'Ada' } }),
      ).toMatchObject({ status: 'COMPLETED', result: { greeting: 'Hello, Ada!' } });
      // The dashboard's page and scripts ship with the api, and so does the API reference.
      for (const path of [
        '/',
        '/api/openapi.json',
        '/api/docs',
        '/api/docs/api-docs.js',
        '/api/docs/swagger-ui-bundle.js',
      ]) {
        const response = await fetch(`http://127.0.0.1:${port}${path}`);
        // Read to the end: a body left unread (Swagger UI's bundle is over a megabyte) keeps its
        // connection busy, and the api's stop would wait for it until the grace period ends.
        await response.arrayBuffer();
        expect(response.status, path).toBe(200);
      }
      // A service of the project's submits with @sluice/client, as installed from its tarball.
      const client = startNodeProcess(
        join(project, 'client.mjs'),
        {},
        { args: [`http://127.0.0.1:${port}`], cwd: project },
      );
      expect((await client.exited).code, client.output()).toBe(0);
      expect(JSON.parse(client.output().trim().split('\n').at(-1) ?? '')).toMatchObject({
        status: 'COMPLETED',
        result: { greeting: 'Hello, Linus!' },
      });
      // And one enqueues without HTTP, with sluice's createEnqueuer: a re-send names the same task.
      const enqueue = startNodeProcess(join(project, 'enqueue.mjs'), env, { cwd: project });
      expect((await enqueue.exited).code, enqueue.output()).toBe(0);
      const { first, again } = JSON.parse(enqueue.output().trim().split('\n').at(-1) ?? '') as {
        first: { id: string; replayed: boolean };
        again: { id: string; replayed: boolean };
      };
      expect([first.replayed, again.replayed, again.id]).toEqual([false, true, first.id]);
    } finally {
      await stopAll([api, worker]);
    }
  });

  test('run it through startApi and startWorker imported from sluice', async ({ redisUrl, databaseUrl, queueName }) => {
    const env = settings(redisUrl, databaseUrl, queueName);
    const migrate = sluice(['migrate'], env);
    expect((await migrate.exited).code, migrate.output()).toBe(0);
    const app = startNodeProcess(join(project, 'app.mjs'), { ...env, LOG_LEVEL: 'warn' }, { cwd: project });
    try {
      const url = /app listening on (\S+)/.exec(await app.waitForOutput(/app listening on/))?.[1] ?? '';
      expect(await submitAndAwaitCommit(url, { taskType: 'GREET', payload: { name: 'Grace' } })).toMatchObject({
        status: 'COMPLETED',
        result: { greeting: 'Hello, Grace!' },
      });
    } finally {
      await stopAll([app]);
    }
  });
});
