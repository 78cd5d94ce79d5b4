import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  createOutsideProject,
  GREET_TASK_MODULE,
  startNodeProcess,
  submitAndAwaitCommit,
  test,
  type NodeProcess,
  type OutsideProject,
} from '@sluice/testkit';
import { afterAll, beforeAll, describe, expect } from 'vitest';

const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  readonly bin: { readonly sluice: string };
};

/** The bin as npm links it: `sluice` runs this file. */
const SLUICE = fileURLToPath(new URL(`../${manifest.bin.sluice}`, import.meta.url));

describe('the bin', () => {
  test('is a file of the repository, not of dist/: npm links it at install, before a fresh checkout is built', () => {
    expect(manifest.bin.sluice).not.toMatch(/(^|\/)dist\//);
    expect(existsSync(SLUICE)).toBe(true);
  });
});

let project: OutsideProject;
beforeAll(async () => {
  project = await createOutsideProject({
    packages: ['@sluice/tasks', 'zod'],
    from: import.meta.url,
    files: { 'tasks.mjs': GREET_TASK_MODULE },
  });
});
afterAll(() => project.remove());

/** `sluice <args>` in the user's project folder, with `env` over the test's environment. */
const sluice = (args: ReadonlyArray<string>, env: Readonly<Record<string, string>> = {}): NodeProcess =>
  startNodeProcess(SLUICE, { LOG_FORMAT: 'json', ...env }, { args, cwd: project.dir });

/** Runs a command that ends; resolves to its exit code and everything it printed. */
const run = async (args: ReadonlyArray<string>, env: Readonly<Record<string, string>> = {}) => {
  const child = sluice(args, env);
  const { code } = await child.exited;
  return { code, output: child.output() };
};

describe('the sluice command', () => {
  test('prints its usage and exits 2 without a command, with an unknown one, or with an unknown option', async () => {
    for (const [args, complaint] of [
      [[], 'sluice: a command is required: api, worker or migrate'],
      [['serve'], 'sluice: unknown command "serve": use api, worker or migrate'],
      [['api', '--task', 'tasks.mjs'], "sluice: Unknown option '--task'"],
      [['migrate', '--tasks', 'tasks.mjs'], 'sluice: migrate takes no --tasks'],
    ] as const) {
      const { code, output } = await run(args);
      expect(code, args.join(' ')).toBe(2);
      expect(output).toContain(complaint);
      expect(output).toContain('Usage: sluice <command> [--tasks PATH]');
    }
  });

  test('prints its usage with --help and its version with --version, and exits 0', async () => {
    expect(await run(['--help'])).toMatchObject({ code: 0, output: expect.stringContaining('Commands:\n  api') });
    expect(await run(['--version'])).toEqual({ code: 0, output: '0.1.0\n' });
  });

  test('migrate applies the migrations to the database DATABASE_URL names, then finds it up to date', async ({
    databaseUrl,
  }) => {
    const first = await run(['migrate'], { DATABASE_URL: databaseUrl });
    expect(first.code).toBe(0);
    expect(first.output).toMatch(/^applied migration 0001-/m);
    expect(await run(['migrate'], { DATABASE_URL: databaseUrl })).toMatchObject({
      code: 0,
      output: expect.stringMatching(/is up to date\n$/),
    });
  });

  test('worker and api run the task module --tasks names, relative to where the command runs, over SLUICE_TASKS', async ({
    redisUrl,
    databaseUrl,
    queueName,
  }) => {
    const env = {
      REDIS_URL: redisUrl,
      DATABASE_URL: databaseUrl,
      QUEUE_NAME: queueName,
      // --tasks wins: were this loaded, both would stop at start.
      SLUICE_TASKS: 'no-such-tasks.mjs',
      BATCH_TIMEOUT_MS: '200',
      METRICS_PORT: '0',
      PORT: '0',
    };
    expect((await run(['migrate'], env)).code).toBe(0);
    const worker = sluice(['worker', '--tasks', 'tasks.mjs'], env);
    const api = sluice(['api', '--tasks', 'tasks.mjs'], env);
    try {
      expect(await worker.waitForOutput(/"worker started"/)).toMatch(/"taskTypes":\["GREET"\]/);
      const { port } = JSON.parse(await api.waitForOutput(/"api listening"/)) as { port: number };
      expect(
        await submitAndAwaitCommit(`http://127.0.0.1:${port}`, { taskType: 'GREET', payload: { name: 'Linus' } }),
      ).toMatchObject({ status: 'COMPLETED', result: { greeting: 'Hello, Linus!' } });
    } finally {
      api.kill('SIGTERM');
      worker.kill('SIGTERM');
      expect((await api.exited).code).toBe(0);
      expect((await worker.exited).code).toBe(0);
    }
    // Each logs the command that gives it the V8 flags it is tuned for, as it was started.
    expect(worker.output()).toContain(
      `"command":"NODE_OPTIONS='--max-old-space-size=384 --max-semi-space-size=32' sluice worker --tasks tasks.mjs"`,
    );
  });

  test('api and worker stop at start with a message naming --tasks when its module cannot be loaded', async ({
    redisUrl,
  }) => {
    await project.write('broken.mjs', "export default 'GREET';");
    for (const command of ['api', 'worker']) {
      const { code, output } = await run([command, '--tasks', 'broken.mjs'], {
        REDIS_URL: redisUrl,
        METRICS_PORT: '0',
      });
      expect(code, command).toBe(1);
      expect(output).toContain(
        `--tasks: cannot load task types from ${project.path('broken.mjs')}: its task types are a string, not an array of task types`,
      );
    }
  });
});
