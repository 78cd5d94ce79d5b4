import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { loadConfig, startApi, type ApiHandle } from 'sluice';
import { startNodeProcess, test as base, waitFor, type NodeProcess } from '@sluice/testkit';
import { describe, expect } from 'vitest';
import taskTypes from './tasks.js';

/*
 * The example as a user runs it: `sluice migrate` and this package's migration, the api, and
 * workers started as the README says (`sluice worker --tasks dist/tasks.js`), as processes of
 * their own, so that one can die by SIGKILL between its commit and the queue's acknowledgement.
 */

// The command `npx sluice` runs: the bin of the `sluice` package, next to its main module.
const SLUICE_BIN = join(dirname(createRequire(import.meta.url).resolve('sluice')), 'bin', 'sluice.js');
const TASK_MODULE = fileURLToPath(new URL('../dist/tasks.js', import.meta.url));
const MIGRATE_BIN = fileURLToPath(new URL('../dist/bin/migrate.js', import.meta.url));

const CHROME_WINDOWS =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36';
const SAFARI_IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1';
const GOOGLEBOT = 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)';
const FIREFOX_TABLET = 'Mozilla/5.0 (Android 13; Tablet; rv:120.0) Gecko/120.0 Firefox/120.0';

/** Four kinds of view, taken in turn, each with the parsed columns its row must hold. */
const KINDS = [
  {
    url: 'https://shop.example.com/shoes?utm_source=newsletter&utm_medium=email&utm_campaign=spring',
    referrer: 'https://mail.example.org/inbox',
    userAgent: CHROME_WINDOWS,
    row: {
      host: 'shop.example.com',
      path: '/shoes',
      utm_source: 'newsletter',
      utm_medium: 'email',
      utm_campaign: 'spring',
      referrer_host: 'mail.example.org',
      browser: 'Chrome',
      browser_major: 124,
      os: 'Windows',
      device: 'desktop',
    },
  },
  {
    url: 'https://shop.example.com/cart',
    userAgent: SAFARI_IPHONE,
    row: {
      host: 'shop.example.com',
      path: '/cart',
      utm_source: null,
      utm_medium: null,
      utm_campaign: null,
      referrer_host: null,
      browser: 'Safari',
      browser_major: 17,
      os: 'iOS',
      device: 'mobile',
    },
  },
  {
    url: 'https://blog.example.com/posts/1#comments',
    userAgent: GOOGLEBOT,
    row: {
      host: 'blog.example.com',
      path: '/posts/1',
      utm_source: null,
      utm_medium: null,
      utm_campaign: null,
      referrer_host: null,
      browser: 'Googlebot',
      browser_major: 2,
      os: 'Other',
      device: 'bot',
    },
  },
  {
    url: 'http://Blog.Example.com:8080/about?utm_source=mastodon',
    referrer: 'https://social.example.net/@blog',
    userAgent: FIREFOX_TABLET,
    row: {
      host: 'blog.example.com:8080',
      path: '/about',
      utm_source: 'mastodon',
      utm_medium: null,
      utm_campaign: null,
      referrer_host: 'social.example.net',
      browser: 'Firefox',
      browser_major: 120,
      os: 'Android',
      device: 'tablet',
    },
  },
] as const;

const VIEW_COUNT = 40;
/** Views whose URL does not parse: each fails alone and for good, and writes no row. */
const BAD_URLS: ReadonlyMap<number, string> = new Map([
  [13, 'shop.example.com/no-scheme'],
  [27, 'javascript:void(0)'],
]);

const views = Array.from({ length: VIEW_COUNT }, (_, n) => {
  const kind = KINDS[n % KINDS.length] ?? KINDS[0];
  return {
    kind,
    payload: {
      site: n % 2 === 0 ? 'shop' : 'blog',
      visitorId: `visitor-${n}`,
      url: BAD_URLS.get(n) ?? kind.url,
      ...('referrer' in kind ? { referrer: kind.referrer } : {}),
      userAgent: kind.userAgent,
      viewedAt: new Date(Date.UTC(2026, 2, 1, 12, 0, n)).toISOString(),
    },
  };
});

interface BatchView {
  readonly workerId: string;
  readonly groupKey: string | null;
  readonly completed: number;
  readonly failed: number;
  readonly duplicates: number;
}

interface Stack {
  readonly api: ApiHandle;
  /** This test's own connection, to read page_views and Sluice's tasks table. */
  readonly db: pg.Client;
  /** `sluice worker --tasks dist/tasks.js` as `workerId`; killed after the test. */
  startWorker(workerId: string, env?: Readonly<Record<string, string>>): NodeProcess;
  /**
   * Jobs the queue still holds unacknowledged: waiting, active, delayed or prioritized. A job
   * carries one view or a parcel of many.
   */
  pending(): Promise<number>;
  get<T>(path: string): Promise<T>;
}

const test = base.extend<{ stack: Stack }>({
  stack: async ({ redisUrl, databaseUrl, queueName }, use) => {
    const settings = {
      REDIS_URL: redisUrl,
      DATABASE_URL: databaseUrl,
      QUEUE_NAME: queueName,
      LOG_FORMAT: 'json',
      // Several workers run at once: each takes any free port for its /metrics.
      METRICS_PORT: '0',
      // A dead worker's jobs come back within about three seconds, not the default twenty.
      LOCK_DURATION_MS: '2000',
      STALLED_INTERVAL_MS: '1000',
      BACKOFF_DELAY_MS: '200',
    };
    // The README's first step, `npm run migrate`: Sluice's tables, then page_views.
    for (const [script, args] of [
      [SLUICE_BIN, ['migrate']],
      [MIGRATE_BIN, []],
    ] as const) {
      const migrate = startNodeProcess(script, settings, { args });
      expect((await migrate.exited).code, migrate.output()).toBe(0);
    }
    const api = await startApi({
      config: loadConfig({ ...settings, PORT: '0', LOG_LEVEL: 'warn' }),
      taskTypes,
      host: '127.0.0.1',
    });
    const db = new pg.Client({ connectionString: databaseUrl });
    await db.connect();
    const get = async <T>(path: string): Promise<T> => {
      const response = await fetch(`${api.url}${path}`);
      if (response.status !== 200) throw new Error(`GET ${path}: ${response.status} ${await response.text()}`);
      return (await response.json()) as T;
    };
    const started: NodeProcess[] = [];
    await use({
      api,
      db,
      get,
      startWorker: (workerId, env = {}) => {
        const worker = startNodeProcess(
          SLUICE_BIN,
          { ...settings, WORKER_ID: workerId, ...env },
          {
            args: ['worker', '--tasks', TASK_MODULE],
          },
        );
        started.push(worker);
        return worker;
      },
      pending: async () => {
        const { queue } = await get<{ queue: Record<string, number> }>('/api/tasks/stats');
        return (queue.waiting ?? 0) + (queue.active ?? 0) + (queue.delayed ?? 0) + (queue.prioritized ?? 0);
      },
    });
    for (const worker of started) worker.kill('SIGKILL');
    await Promise.all(started.map((worker) => worker.exited));
    await db.end();
    await api.close();
  },
});

describe('page views through a worker that dies between commit and acknowledgement', () => {
  test('page_views holds exactly one row per completed view, with the parsed fields, and none for a bad URL', async ({
    stack,
  }) => {
    const accepted = await fetch(`${stack.api.url}/api/tasks/batch`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ tasks: views.map((view) => ({ taskType: 'PAGE_VIEW', payload: view.payload })) }),
    });
    expect(accepted.status).toBe(202);
    const { taskIds } = (await accepted.json()) as { taskIds: string[] };
    expect(taskIds).toHaveLength(VIEW_COUNT);
    // The views wait as parcels, one job per site of up to the batch size: count jobs, not views.
    const queued = await stack.pending();
    expect(queued).toBeGreaterThan(0);

    // The first worker commits a group, then kills itself before acknowledging a single job.
    const crashing = stack.startWorker('worker-1', { FAULT_INJECTION: 'crash-after-commit' });
    expect((await crashing.exited).signal, crashing.output()).toBe('SIGKILL');
    expect(crashing.output()).toContain('FAULT_INJECTION=crash-after-commit');
    // One statement, one snapshot: the sink's rows landed with their tasks' rows, and only them.
    const {
      rows: [atCrash],
    } = await stack.db.query<{ committed: number; completed: number; views: number }>(
      `SELECT (SELECT count(*)::int FROM tasks) AS committed,
              (SELECT count(*)::int FROM tasks WHERE status = 'COMPLETED') AS completed,
              (SELECT count(*)::int FROM page_views) AS views`,
    );
    expect(atCrash?.committed).toBeGreaterThan(0);
    expect(atCrash?.views).toBe(atCrash?.completed);
    // It acknowledged nothing: every job is still there.
    expect(await stack.pending()).toBe(queued);

    // A second worker takes the dead one's jobs back and runs every one of them again.
    stack.startWorker('worker-2');
    await waitFor(
      async () =>
        (await stack.pending()) === 0 &&
        (await stack.db.query<{ n: number }>('SELECT count(*)::int AS n FROM tasks')).rows[0]?.n === VIEW_COUNT,
      { what: `${VIEW_COUNT} tasks committed and every job acknowledged` },
    );

    // Every task the first worker committed came back to the second and was skipped as a
    // duplicate: its handler ran twice, its row went in once.
    const { items: batches } = await stack.get<{ items: BatchView[] }>('/api/tasks/batches?limit=500');
    const committedBy = (workerId: string): ReadonlyArray<BatchView> =>
      batches.filter((batch) => batch.workerId === workerId);
    const firstRun = committedBy('worker-1').reduce((sum, batch) => sum + batch.completed + batch.failed, 0);
    expect(firstRun).toBeGreaterThan(0);
    expect(committedBy('worker-2').reduce((sum, batch) => sum + batch.duplicates, 0)).toBe(firstRun);
    expect(new Set(batches.map((batch) => batch.groupKey))).toEqual(new Set(['shop', 'blog']));

    const { rows } = await stack.db.query(
      `SELECT task_id, count(*) OVER (PARTITION BY task_id)::int AS copies, site, visitor_id, viewed_at, host, path,
              utm_source, utm_medium, utm_campaign, referrer_host, browser, browser_major, os, device
       FROM page_views`,
    );
    expect(rows).toHaveLength(VIEW_COUNT - BAD_URLS.size);
    const byTask = new Map(rows.map((row) => [row.task_id as string, row]));
    for (const [n, view] of views.entries()) {
      const id = taskIds[n] ?? '';
      if (BAD_URLS.has(n)) {
        expect(byTask.has(id), `view ${n}`).toBe(false);
        continue;
      }
      expect(byTask.get(id), `view ${n}`).toEqual({
        task_id: id,
        copies: 1,
        site: view.payload.site,
        visitor_id: view.payload.visitorId,
        viewed_at: new Date(view.payload.viewedAt),
        ...view.kind.row,
      });
    }

    // A bad URL fails its own task for good, saying why; the rest of its group landed.
    for (const [n, url] of BAD_URLS) {
      expect(await stack.get(`/api/tasks/${taskIds[n]}`)).toMatchObject({
        status: 'FAILED',
        error: expect.stringContaining(`page URL ${JSON.stringify(url)}`),
      });
    }
  });
});
