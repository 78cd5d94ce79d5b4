import type { Browser } from 'playwright-core';
import { describe, expect } from 'vitest';
import { test as base } from '@sluice/testkit';
import { startTestApi, type TestApi } from './test-api.js';
import { ARTIFACTS_DIR, launchBrowser, openPage, type PageWatch } from '@sluice/testkit/browser';

// The API reference at /api/docs as a person sees it: Swagger UI over the api's own document, in
// headless Chromium, with API_KEYS set (the page needs none). Any CSP violation would be a console
// error, so `errors` staying empty also says the page lives within the api's strict policy.

const KEY = 'key-aaaaaaaaaaaaaaaa';

const test = base.extend<{ browser: Browser; api: TestApi; watch: PageWatch }>({
  browser: [
    // biome-ignore lint/correctness/noEmptyPattern: vitest reads a fixture's dependencies from this pattern, and it has none
    async ({}, use) => {
      const browser = await launchBrowser();
      await use(browser);
      await browser.close();
    },
    { scope: 'file' },
  ],
  api: async ({ redisUrl, databaseUrl, queueName }, use) => {
    const api = await startTestApi({ redisUrl, databaseUrl, queueName, apiKeys: [KEY] });
    await use(api);
    await api.close();
  },
  watch: async ({ browser, api }, use) => {
    const watch = await openPage(browser, api.url);
    await use(watch);
    await watch.context.close();
  },
});

describe('the API reference at /api/docs', () => {
  test("lists every /api route, shows a task type's payload schema and each answer's problem types, with nothing fetched off the api and no console error", {
    timeout: 60_000,
  }, async ({ api, watch }) => {
    const { page } = watch;
    await page.goto(`${api.url}/api/docs`);
    await page.waitForSelector('#operations-tasks-submitTask');
    expect(await page.title()).toBe('Sluice · API reference');
    expect(await page.locator('.opblock-summary-path').allTextContents()).toEqual([
      '/api/tasks',
      '/api/tasks/batch',
      '/api/tasks/{id}',
      '/api/tasks/stats',
      '/api/tasks/batches',
      '/api/tasks/throughput',
      '/api/openapi.json',
      '/api/docs',
      '/api/docs/{file}',
    ]);
    await watch.screenshot('api-docs');

    const submit = page.locator('#operations-tasks-submitTask');
    await submit.locator('.opblock-summary-control').click();
    await submit.locator('.responses-table').first().waitFor();
    const codes = await submit
      .locator('.responses-table > tbody > tr.response > td.response-col_status')
      .allTextContents();
    expect(codes.map((code) => code.trim())).toEqual([
      '200',
      '202',
      '400',
      '401',
      '404',
      '413',
      '415',
      '422',
      '429',
      '503',
      'default',
    ]);
    for (const text of ['idempotency-key-reused', 'Idempotency-Key', 'queue-full']) {
      expect(await submit.getByText(text).first().isVisible(), text).toBe(true);
    }
    // Reading only: no "Try it out" to send a request from an open page.
    expect(await page.locator('.try-out__btn').count()).toBe(0);

    const models = page.locator('section.models');
    if ((await models.locator('.models-control').getAttribute('aria-expanded')) !== 'true') {
      await models.locator('.models-control').click();
    }
    const email = models.locator('article.json-schema-2020-12', {
      has: page.locator('.json-schema-2020-12__title', { hasText: /^EMAILPayload$/ }),
    });
    await email.locator('.json-schema-2020-12-expand-deep-button').first().click();
    const names = await email.locator('.json-schema-2020-12__title').allTextContents();
    expect(names).toEqual(expect.arrayContaining(['to', 'subject', 'body', 'simulate', 'failAttempts', 'fail']));
    expect(await email.getByText('64 KiB').isVisible()).toBe(true);
    // The page's own screenshot (above) made the folder.
    await email.screenshot({ path: `${ARTIFACTS_DIR}api-docs-email-payload.png` });

    expect(watch.errors).toEqual([]);
    expect(watch.external).toEqual([]);
  });
});
