import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { freePort, startRedisServer } from '@sluice/testkit/servers';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { createLogStream } from './log-stream.js';
import { devstackPaths, type DevstackPaths } from './paths.js';
import { isPortFree } from './ports.js';
import { logNames, startStack } from './stack.js';
import { captureOutput } from './test-output.js';

/**
 * Stand-ins for the store's migrate script and the two apps, written into a throwaway checkout:
 * they prove they can reach the servers the stack started, and behave on SIGTERM as the real
 * ones must (finish work, exit 0).
 */
const FIXTURES = {
  migrate: `
    const net = require('node:net');
    if (require('node:fs').existsSync(require('node:path').join(process.cwd(), 'fail-migrations'))) { console.error('relation "tasks" already exists'); process.exit(1); }
    const url = new URL(process.env.DATABASE_URL);
    const socket = net.connect(Number(url.port), url.hostname, () => {
      console.log('postgres reachable, database ' + url.pathname.slice(1));
      socket.end();
    });`,
  api: `
    const http = require('node:http');
    const net = require('node:net');
    const redis = new URL(process.env.REDIS_URL);
    const socket = net.connect(Number(redis.port), redis.hostname, () => socket.write('PING\\r\\n'));
    socket.on('data', (reply) => { console.log('redis says ' + reply.toString().trim()); socket.end(); });
    const server = http.createServer((req, res) => { res.statusCode = req.url === '/actuator/health' ? 200 : 404; res.end(); });
    server.listen(Number(process.env.PORT), () => console.log('listening, LOG_FORMAT=' + process.env.LOG_FORMAT + ', SLUICE_TASKS=' + process.env.SLUICE_TASKS));
    process.on('SIGTERM', () => server.close(() => process.exit(0)));`,
  worker: `
    console.log('started as ' + process.env.WORKER_ID + ', PORT=' + (process.env.PORT ?? 'unset') + ', METRICS_PORT=' + process.env.METRICS_PORT + ', SLUICE_TASKS=' + process.env.SLUICE_TASKS);
    const timer = setInterval(() => {}, 1000);
    process.on('SIGTERM', () => setTimeout(() => { console.log('flushed and committed'); clearInterval(timer); }, 100));`,
};

describe('startStack', () => {
  let root: string;
  let paths: DevstackPaths;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'devstack-stack-'));
    // mkdtemp makes it 0700; as root the postgres user must reach the data inside, as it does in
    // a real checkout (otherwise the data would move to /var/tmp, see data-dirs.ts).
    await chmod(root, 0o755);
    paths = devstackPaths(root);
    const files: ReadonlyArray<readonly [string, string]> = [
      [paths.migrateEntry, FIXTURES.migrate],
      [paths.apiEntry, FIXTURES.api],
      [paths.workerEntry, FIXTURES.worker],
    ];
    for (const [file, text] of files) {
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, text);
    }
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('starts Redis, PostgreSQL, migrations, api and workers, and stops them in order', async () => {
    const out = captureOutput();
    const log = createLogStream({ out: out.stream, colour: false, names: logNames(2) });
    const port = await freePort();
    const tasksModule = '/home/ada/shop/tasks.mjs';
    const stack = startStack({ config: { port, workers: 2, tasksModule }, paths, log });
    // A failed expectation must not leave the stack's processes behind.
    onTestFailed(async () => {
      stack.requestStop('test failed');
      await stack.done;
    });

    // The banner waits for the api only; the workers may log their start a moment later.
    const ready = ['Sluice is running', 'started as worker-1', 'started as worker-2', 'redis says'];
    const deadline = Date.now() + 50_000;
    while (!ready.every((needle) => out.text().includes(needle))) {
      if (Date.now() > deadline) throw new Error(`the stack did not come up:\n${out.text()}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const text = out.text();
    expect(text).toContain('migrate  │ postgres reachable, database sluice');
    expect(text).toContain(`api      │ listening, LOG_FORMAT=pretty, SLUICE_TASKS=${tasksModule}`);
    expect(text).toContain('api      │ redis says +PONG');
    // Each worker gets a metrics port of its own (never the api's), and the banner lists them.
    const metricsPorts = [1, 2].map((n) =>
      Number(
        new RegExp(`started as worker-${n}, PORT=unset, METRICS_PORT=(\\d+), SLUICE_TASKS=${tasksModule}`).exec(
          text,
        )?.[1],
      ),
    );
    expect(metricsPorts.every((p) => p > 0 && p !== port)).toBe(true);
    expect(metricsPorts[0]).not.toBe(metricsPorts[1]);
    expect(text).toMatch(new RegExp(`dashboard +http://localhost:${port}/\\n`));
    expect(text).toMatch(new RegExp(`Bull Board +http://localhost:${port}/admin/queues\\n`));
    expect(text).toContain(`http://localhost:${port}/metrics`);
    expect(text).toMatch(new RegExp(`\\n  worker-1 +http://localhost:${metricsPorts[0]}/metrics\\n`));
    expect(text).toMatch(new RegExp(`\\n  worker-2 +http://localhost:${metricsPorts[1]}/metrics\\n`));
    expect(text).toContain('data in .sluice/postgres/');
    const redisPort = Number(/redis:\/\/127\.0\.0\.1:(\d+)/.exec(text)?.[1]);
    const postgresPort = Number(/postgres:\/\/postgres@127\.0\.0\.1:(\d+)\/sluice/.exec(text)?.[1]);
    expect(await isPortFree(redisPort)).toBe(false);
    expect(await isPortFree(postgresPort)).toBe(false);

    stack.requestStop('test over');
    expect(await stack.done).toBe(0);

    const lines = out.lines();
    const at = (needle: string): number => lines.findIndex((line) => line.includes(needle));
    expect(at('worker-1 │ flushed and committed')).toBeGreaterThan(at('stopping the api and 2 workers'));
    expect(at('stopping PostgreSQL and Redis')).toBeGreaterThan(at('worker-1 │ flushed and committed'));
    expect(at('stopping PostgreSQL and Redis')).toBeGreaterThan(at('worker-2 │ flushed and committed'));
    expect(lines.at(-1)).toBe('devstack │ stopped');
    expect(await isPortFree(redisPort)).toBe(true);
    expect(await isPortFree(postgresPort)).toBe(true);
    expect(await isPortFree(port)).toBe(true);
  });

  it('uses a Redis the user brings, leaves it running, and still runs its own PostgreSQL', async () => {
    const theirs = await startRedisServer();
    try {
      const out = captureOutput();
      const log = createLogStream({ out: out.stream, colour: false });
      const stack = startStack({ config: { port: await freePort(), workers: 1, redisUrl: theirs.url }, paths, log });
      const deadline = Date.now() + 50_000;
      while (!['redis says', 'Sluice is running'].every((needle) => out.text().includes(needle))) {
        if (Date.now() > deadline) throw new Error(`the stack did not come up:\n${out.text()}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      stack.requestStop('test over');
      expect(await stack.done).toBe(0);
      const text = out.text();
      expect(text).toContain('starting local PostgreSQL (data in .sluice/)');
      expect(text).toContain(`Redis       ${theirs.url} (yours)`);
      expect(text).toContain('stopping PostgreSQL\n');
      expect(text).not.toContain('redis stopped');
      expect(await isPortFree(theirs.port)).toBe(false);
    } finally {
      await theirs.stop();
    }
  });

  it('stops the servers again and fails when the migrations fail', async () => {
    const out = captureOutput();
    const log = createLogStream({ out: out.stream, colour: false });
    const port = await freePort();
    const marker = join(root, 'fail-migrations');
    await writeFile(marker, '');
    try {
      const stack = startStack({ config: { port, workers: 1 }, paths, log });
      expect(await stack.done).toBe(1);
    } finally {
      await rm(marker);
    }
    const text = out.text();
    expect(text).toContain('migrate  │ relation "tasks" already exists');
    expect(text).toContain('The migrations failed (exit code 1)');
    expect(text).toContain('devstack │ postgres stopped');
    expect(text).toContain('devstack │ redis stopped');
    expect(text).not.toContain('starting the api');
  });
});
