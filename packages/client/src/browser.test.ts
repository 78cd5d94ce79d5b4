import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect } from 'vitest';
import { launchBrowser, openPage } from '@sluice/testkit/browser';
import { test } from './test-sluice.js';

/** The client as it is published: its build, ES modules a browser imports as they are. */
const DIST = fileURLToPath(new URL('../dist/', import.meta.url));
/** Where the spec serves its page and the client's modules, on the api's own origin. */
const BASE = '/client-in-a-browser/';

/**
 * A page of a web app that uses the client: it submits a task, waits for it, and sends a payload
 * the api refuses. Served by the spec, so an inline module is fine here (the api's own pages
 * carry a strict policy; this one is the user's).
 */
const PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>@sluice/client in a browser</title>
<script type="module">
import { createClient, SluiceError } from './index.js';
const sluice = createClient({ baseUrl: location.origin });
try {
  const { id } = await sluice.submit('GREET', { name: 'Ada' });
  const task = await sluice.waitFor(id, { timeoutMs: 60000 });
  const refused = await sluice.submit('GREET', { name: '' }).then(
    () => 'accepted',
    (error) => (error instanceof SluiceError ? { status: error.status, type: error.type, errors: error.errors } : String(error)),
  );
  window.outcome = { task, refused };
} catch (error) {
  window.outcome = { failed: String(error) };
}
</script></head><body>@sluice/client</body></html>`;

describe('@sluice/client in a browser', () => {
  test('submits, waits for the task and reads a refusal in headless Chromium, from its build alone', async ({
    sluice,
  }) => {
    const api = await sluice.startApi();
    await sluice.startWorker();
    const browser = await launchBrowser();
    try {
      const origin = new URL(api.url).origin;
      const watch = await openPage(browser, origin);
      // The page and the client's files come from the spec, on the api's origin (the api sends no
      // CORS headers, and a page of the same origin needs none); every /api request reaches the api.
      await watch.context.route(
        (url) => url.origin === origin && url.pathname.startsWith(BASE),
        async (route) => {
          const file = new URL(route.request().url()).pathname.slice(BASE.length);
          if (file === '' || file === 'index.html') {
            await route.fulfill({ contentType: 'text/html', body: PAGE });
            return;
          }
          const body = await readFile(`${DIST}${file}`).catch(() => undefined);
          await (body === undefined
            ? route.fulfill({ status: 404, body: '' })
            : route.fulfill({ contentType: 'text/javascript', body }));
        },
      );
      await watch.page.goto(`${origin}${BASE}`);
      await watch.page.waitForFunction(() => 'outcome' in globalThis, undefined, { timeout: 90_000 });
      const outcome = await watch.page.evaluate(() => (globalThis as unknown as { outcome: unknown }).outcome);
      expect(outcome).toMatchObject({
        task: { taskType: 'GREET', status: 'COMPLETED', result: { greeting: 'Hello, Ada!' } },
        refused: {
          status: 422,
          type: 'https://sluice.dev/problems/invalid-task',
          errors: [{ pointer: '/payload/name' }],
        },
      });
      expect(watch.errors.filter((error) => !error.includes('422'))).toEqual([]);
      expect(watch.external).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
