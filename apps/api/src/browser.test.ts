import type { Browser, BrowserContext } from 'playwright-core';
import { describe, expect } from 'vitest';
import { freePort, test as base, waitFor, type NodeProcess } from '@sluice/testkit';
import type { BoardSettings } from './bull-board.js';
import { startTestApi, type TestApi } from './test-api.js';
import { launchBrowser, openPage, type PageWatch } from '@sluice/testkit/browser';
import { startTestWorker } from './test-worker.js';

// The pages as a person sees them: the real api and a real worker process over the test's own
// Redis queue and database, driven through headless Chromium. Each test saves screenshots under
// apps/api/test-artifacts/.

interface Stack {
  /** Starts an api; every one still running is closed after the test. */
  startApi(options?: {
    readonly board?: BoardSettings;
    readonly port?: number;
    readonly apiKeys?: ReadonlyArray<string>;
  }): Promise<TestApi>;
  /** Starts `node apps/worker/dist/main.js`; killed after the test. */
  startWorker(): Promise<NodeProcess>;
}

interface Pages {
  /** A fresh, watched page in its own browser context (see {@link openPage}); closed after the test. */
  open(origin: string, options?: Parameters<Browser['newContext']>[0]): Promise<PageWatch>;
}

const test = base.extend<{ browser: Browser; pages: Pages; stack: Stack }>({
  browser: [
    // biome-ignore lint/correctness/noEmptyPattern: vitest reads a fixture's dependencies from this pattern, and it has none
    async ({}, use) => {
      const browser = await launchBrowser();
      await use(browser);
      await browser.close();
    },
    // One Chromium for the whole file: starting it takes longer than most of these tests.
    { scope: 'file' },
  ],
  pages: async ({ browser }, use) => {
    const contexts: BrowserContext[] = [];
    await use({
      open: async (origin, options) => {
        const watch = await openPage(browser, origin, options);
        contexts.push(watch.context);
        return watch;
      },
    });
    await Promise.all(contexts.map((context) => context.close()));
  },
  stack: async ({ redisUrl, databaseUrl, queueName }, use) => {
    const apis = new Set<TestApi>();
    const workers: NodeProcess[] = [];
    await use({
      startApi: async (options = {}) => {
        const api = await startTestApi({ redisUrl, databaseUrl, queueName, ...options });
        const tracked: TestApi = {
          ...api,
          close: async () => {
            apis.delete(tracked);
            await api.close();
          },
        };
        apis.add(tracked);
        return tracked;
      },
      startWorker: async () => {
        const worker = await startTestWorker({ redisUrl, databaseUrl, queueName });
        workers.push(worker);
        return worker;
      },
    });
    for (const worker of workers) worker.kill('SIGKILL');
    await Promise.all(workers.map((worker) => worker.exited));
    await Promise.all([...apis].map((api) => api.close()));
  },
});

const submit = async (api: TestApi, path: '/api/tasks' | '/api/tasks/batch', body: unknown): Promise<string> => {
  const response = await fetch(`${api.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(response.status).toBe(202);
  const answer = (await response.json()) as { id?: string };
  return answer.id ?? '';
};

/** Two tasks that end in BullMQ's failed set: one at once, one after all four attempts. */
const submitFailures = async (api: TestApi): Promise<{ permanent: string; retryable: string }> => ({
  permanent: await submit(api, '/api/tasks', {
    taskType: 'EMAIL',
    payload: { to: 'a@example.com', simulate: { fail: 'permanent' } },
  }),
  retryable: await submit(api, '/api/tasks', {
    taskType: 'EMAIL',
    payload: { to: 'b@example.com', simulate: { fail: 'retryable' } },
  }),
});

const text = async (watch: PageWatch, selector: string): Promise<string> =>
  (await watch.page.textContent(selector))?.trim() ?? '';

/** Generous: on a loaded CI machine a group may take seconds to commit and a poll to answer. */
const POLL = { timeout: 30_000, interval: 200 } as const;

/**
 * Waits until `selector` reads `expected`. On a timeout the error says what the page and the
 * api saw, so a failure on CI can be told apart: page not polling, api down, or worker idle.
 */
const untilText = async (watch: PageWatch, selector: string, expected: string, api: TestApi): Promise<void> => {
  try {
    await expect.poll(() => text(watch, selector), POLL).toBe(expected);
  } catch (error) {
    const status = `${await text(watch, '#status')} (${(await watch.page.getAttribute('#status', 'title')) ?? 'no error'})`;
    const stats = await fetch(`${api.url}/api/tasks/stats`).then((response) => response.text(), String);
    throw new Error(`${selector} never read ${expected}; the page says ${status}; the api says ${stats}`, {
      cause: error,
    });
  }
};

describe('the live dashboard at /', () => {
  test('loads with no console errors and no request off the api, then follows submitted tasks without reloading', {
    timeout: 60_000,
  }, async ({ pages, stack }) => {
    const api = await stack.startApi();
    await stack.startWorker();
    const watch = await pages.open(api.url);
    const { page } = watch;

    await page.goto(`${api.url}/`);
    await page.waitForSelector('#status[data-state="live"]');
    expect(await text(watch, '#total-submitted .value')).toBe('0');
    expect(await page.isVisible('#batches-empty')).toBe(true);
    // Survives only as long as the page is not reloaded. (Expressions as text: the api's
    // TypeScript has no DOM types, and this code runs in the page.)
    await page.evaluate('window.sameDocument = true');

    await submit(api, '/api/tasks/batch', { count: 250, taskTypes: ['EMAIL', 'SMS', 'PUSH'] });

    await untilText(watch, '#total-completed .value', '250', api);
    // A job stays active for a moment after its row is committed, counted twice until it is acknowledged.
    await untilText(watch, '#total-submitted .value', '250', api);
    expect(await text(watch, '#total-failed .value')).toBe('0');
    await expect.poll(() => page.locator('#batches tbody tr').count(), POLL).toBeGreaterThanOrEqual(3);
    expect(await page.isVisible('#batches-empty')).toBe(false);
    const types = await page.locator('#batches tbody tr td:nth-child(2)').allTextContents();
    expect(new Set(types)).toEqual(new Set(['EMAIL', 'SMS', 'PUSH']));
    // The throughput series leaves out the second still filling, so the total lags by up to a second.
    await expect.poll(() => text(watch, '#throughput-figures'), POLL).toContain('250 in 5 min');
    expect(await page.isVisible('#size-chart')).toBe(true);
    expect(await text(watch, '#trigger-figures')).toMatch(/^\d+ groups/);
    expect(await page.evaluate('window.sameDocument === true')).toBe(true);

    await watch.screenshot('dashboard');
    expect(watch.errors).toEqual([]);
    expect(watch.external).toEqual([]);
  });

  test('fits a phone screen: nothing wider than the viewport but the table, which scrolls', {
    timeout: 60_000,
  }, async ({ pages, stack }) => {
    const api = await stack.startApi();
    await stack.startWorker();
    await submit(api, '/api/tasks/batch', { count: 120 });
    const watch = await pages.open(api.url, {
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
    });
    const { page } = watch;

    await page.goto(`${api.url}/`);
    await untilText(watch, '#total-completed .value', '120', api);

    const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
    expect(overflow).toBeLessThanOrEqual(0);
    const chart = await page.locator('#throughput-chart').boundingBox();
    expect(chart?.width).toBeGreaterThan(300);
    await watch.screenshot('dashboard-phone');
    expect(watch.errors).toEqual([]);
  });

  test('keeps its figures while the api is down and carries on when it is back', { timeout: 60_000 }, async ({
    pages,
    stack,
  }) => {
    const port = await freePort();
    const first = await stack.startApi({ port });
    await stack.startWorker();
    await submit(first, '/api/tasks/batch', { count: 40 });
    const watch = await pages.open(first.url);
    const { page } = watch;
    await page.goto(`${first.url}/`);
    await untilText(watch, '#total-completed .value', '40', first);

    await first.close();
    await page.waitForSelector('#status[data-state="down"]');
    expect(await text(watch, '#status-text')).toMatch(/api unreachable/);
    expect(await text(watch, '#total-completed .value')).toBe('40');
    await watch.screenshot('dashboard-api-down');

    const second = await stack.startApi({ port });
    await submit(second, '/api/tasks/batch', { count: 60 });
    await page.waitForSelector('#status[data-state="live"]', { timeout: 10_000 });
    await untilText(watch, '#total-completed .value', '100', second);
    await watch.screenshot('dashboard-api-back');
    // Refused connections while the api was down are logged by Chromium itself; the page's own
    // code must not have thrown.
    expect(watch.errors.filter((error) => error.startsWith('uncaught'))).toEqual([]);
  });
});

describe('the dashboard under API_KEYS and its Content-Security-Policy', () => {
  const KEY = 'key-dashboard-0000000000';

  test('asks for an API key, then shows the figures with it, and keeps it for the tab across reloads', {
    timeout: 60_000,
  }, async ({ pages, stack }) => {
    const api = await stack.startApi({ apiKeys: [KEY] });
    await stack.startWorker();
    const response = await fetch(`${api.url}/api/tasks/batch`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` },
      body: JSON.stringify({ count: 150, taskTypes: ['EMAIL', 'SMS'] }),
    });
    expect(response.status).toBe(202);
    const watch = await pages.open(api.url);
    const { page } = watch;
    const refused: string[] = [];
    page.on('response', (answer) => {
      if (answer.status() === 401) refused.push(new URL(answer.url()).pathname);
    });

    const loaded = await page.goto(`${api.url}/`);
    expect(loaded?.headers()['content-security-policy']).toContain("script-src 'self';");
    await page.waitForSelector('#status[data-state="locked"]');
    expect(await page.isVisible('#key-form')).toBe(true);
    expect(await text(watch, '#total-completed .value')).toBe('–');
    await watch.screenshot('dashboard-key-needed');

    await page.fill('#api-key', 'key-wrong-00000000000');
    await page.click('#key-form button');
    await expect.poll(() => text(watch, '.key-message'), POLL).toMatch(/refused that key/);

    await page.fill('#api-key', KEY);
    await page.click('#key-form button');
    await untilText(watch, '#total-completed .value', '150', api);
    expect(await page.isVisible('#key-form')).toBe(false);
    await expect.poll(() => page.locator('#batches tbody tr').count(), POLL).toBeGreaterThanOrEqual(2);
    await expect.poll(() => text(watch, '#throughput-figures'), POLL).toContain('150 in 5 min');
    expect(await page.isVisible('#throughput-chart')).toBe(true);
    await watch.screenshot('dashboard-with-key');

    const before = refused.length;
    await page.reload();
    await page.waitForSelector('#status[data-state="live"]');
    expect(await page.isVisible('#key-form')).toBe(false);
    expect(await text(watch, '#total-completed .value')).toBe('150');
    expect(refused.length).toBe(before);
    // The page sent no key it was not given, and nothing but the three reads was refused.
    expect(new Set(refused)).toEqual(new Set(['/api/tasks/stats', '/api/tasks/throughput', '/api/tasks/batches']));
    // Chromium logs each refused request as "Failed to load resource … 401"; anything else is a fault.
    expect(watch.errors.filter((error) => !/status of 401/.test(error))).toEqual([]);
    expect(watch.external).toEqual([]);
  });

  test('runs no inline script: one slipped into the page is blocked and reported, while the charts still draw', {
    timeout: 60_000,
  }, async ({ pages, stack }) => {
    const api = await stack.startApi();
    const watch = await pages.open(api.url);
    const { page } = watch;
    // The page as an attacker who got markup into it would serve it: same headers, one inline script.
    await page.route(`${api.url}/`, async (route) => {
      const original = await route.fetch();
      const html = (await original.text()).replace('</body>', '<script>window.injected = true</script></body>');
      await route.fulfill({ response: original, body: html });
    });
    await page.goto(`${api.url}/`);
    await page.waitForSelector('#status[data-state="live"]');
    expect(await page.evaluate('window.injected === undefined')).toBe(true);
    expect(watch.errors.some((error) => /Content Security Policy/.test(error))).toBe(true);
    // Chart.js drew into its canvases under the same policy.
    const drawn = await page.evaluate<number>(
      "Array.from(document.querySelectorAll('canvas')).filter((c) => window.Chart.getChart(c) !== undefined).length",
    );
    expect(drawn).toBe(4);
  });
});

describe('Bull Board at /admin/queues', () => {
  test('lists the tasks queue with its counts, shows the error of every attempt of a failed job, and retries it', {
    timeout: 60_000,
  }, async ({ pages, stack, queueName }) => {
    const api = await stack.startApi();
    await stack.startWorker();
    const failed = await submitFailures(api);
    await submit(api, '/api/tasks/batch', { count: 100, taskTypes: ['SMS'] });
    // A completed job is removed at once (its row holds the result); failed ones stay on the board.
    await waitFor(
      async () => {
        const counts = await api.queue.queues[0]!.getJobCounts('failed', 'completed', 'waiting', 'active', 'delayed');
        const stats = (await (await fetch(`${api.url}/api/tasks/stats`)).json()) as { totals: { completed: number } };
        return (
          counts.failed === 2 &&
          counts.completed === 0 &&
          counts.waiting === 0 &&
          counts.active === 0 &&
          counts.delayed === 0 &&
          stats.totals.completed === 100
        );
      },
      { what: '2 failed jobs, 100 tasks committed and no completed job kept' },
    );
    const watch = await pages.open(api.url);
    const { page } = watch;

    await page.goto(`${api.url}/admin/queues`);
    const card = page.locator('li', { has: page.locator(`a[title="${queueName}"]`) }).last();
    await card.getByText('2 Jobs').waitFor();
    expect(await card.locator(`a[href$="/queue/${queueName}?status=failed"]`).textContent()).toMatch(/Failed\s*2/);
    await watch.screenshot('bull-board-queues');

    await card.locator(`a[href$="/queue/${queueName}?status=failed"]`).click();
    await page.getByText('simulated permanent failure').first().waitFor();
    const listed = (await page.locator('main').textContent()) ?? '';
    expect(listed).toContain(failed.permanent);
    expect(listed).toContain(failed.retryable);
    // BullMQ keeps a stack trace per failed attempt; the board shows them all, newest first.
    for (const attempt of [1, 2, 3, 4]) expect(listed).toContain(`simulated failure on attempt ${attempt}`);
    await watch.screenshot('bull-board-failed');

    const before = (await api.queue.queues[0]!.getJob(failed.permanent))?.finishedOn ?? 0;
    await page.getByRole('button', { name: 'Retry all' }).click();
    const confirm = page.getByRole('button', { name: /^(Retry|Confirm|Yes)/ }).last();
    if (await confirm.isVisible().catch(() => false)) await confirm.click();
    // The worker runs the retried job again; it fails for good once more, a moment later.
    await waitFor(async () => ((await api.queue.queues[0]!.getJob(failed.permanent))?.finishedOn ?? 0) > before, {
      what: 'the permanently failing job retried from Bull Board',
    });
    expect(watch.errors).toEqual([]);
    expect(watch.external).toEqual([]);
  });

  test('answers 401 without credentials when a login is configured, and shows the queue with them', {
    timeout: 60_000,
  }, async ({ pages, stack, queueName }) => {
    const board = { username: 'ops', password: 's3cret:pass', readOnly: false };
    const api = await stack.startApi({ board });
    const anonymous = await pages.open(api.url);

    // Headless Chromium has nobody to show the login prompt to: it drops the navigation
    // (net::ERR_INVALID_AUTH_CREDENTIALS) after the 401 arrives, so the answer is read off the wire.
    const [refused] = await Promise.all([
      anonymous.page.waitForEvent('response', (response) => new URL(response.url()).pathname === '/admin/queues'),
      anonymous.page.goto(`${api.url}/admin/queues`).catch(() => undefined),
    ]);
    expect(refused.status()).toBe(401);
    expect(refused.headers()['www-authenticate']).toMatch(/^Basic realm="Sluice Bull Board"/);

    // What a person who cancels the login prompt sees: the 401 body. Chromium shows it once the
    // challenge header is gone, so the screenshot (in a page of its own, away from the dropped
    // navigation) is taken of the same answer without it.
    const cancelled = await pages.open(api.url);
    await cancelled.page.route(`${api.url}/admin/queues`, async (route) => {
      const response = await route.fetch();
      const { 'www-authenticate': _challenge, ...headers } = response.headers();
      await route.fulfill({ response, headers });
    });
    expect((await cancelled.page.goto(`${api.url}/admin/queues`))?.status()).toBe(401);
    expect(await cancelled.page.textContent('body')).toContain('"title":"Unauthorized"');
    await cancelled.screenshot('bull-board-401');

    const operator = await pages.open(api.url, {
      httpCredentials: { username: board.username, password: board.password },
    });
    const allowed = await operator.page.goto(`${api.url}/admin/queues`);
    expect(allowed?.status()).toBe(200);
    await operator.page.locator(`a[title="${queueName}"]`).first().waitFor();
    expect(operator.errors).toEqual([]);
  });

  test('in read-only mode shows failed jobs and their errors but offers no retry', { timeout: 60_000 }, async ({
    pages,
    stack,
    queueName,
  }) => {
    const api = await stack.startApi({ board: { readOnly: true } });
    await stack.startWorker();
    const failed = await submitFailures(api);
    await waitFor(async () => (await api.queue.queues[0]!.getFailedCount()) === 2, { what: '2 failed jobs' });
    const watch = await pages.open(api.url);
    const { page } = watch;

    await page.goto(`${api.url}/admin/queues/queue/${queueName}?status=failed`);
    await page.getByText('simulated permanent failure').first().waitFor();
    expect((await page.locator('main').textContent()) ?? '').toContain(failed.retryable);
    expect(await page.getByRole('button', { name: 'Retry all' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Clean all' }).count()).toBe(0);
    await watch.screenshot('bull-board-read-only');
    expect(watch.errors).toEqual([]);
  });
});
