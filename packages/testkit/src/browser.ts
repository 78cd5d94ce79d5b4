import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/** Debian's Chromium (`.ci/run` installs it): playwright-core drives it, nothing is downloaded. */
const CHROMIUM = '/usr/bin/chromium';

/**
 * Screenshots of every browser test, for a person to look at: `test-artifacts/` of the workspace
 * whose specs run (vitest runs each from its own folder); git ignores it.
 */
export const ARTIFACTS_DIR = `${join(process.cwd(), 'test-artifacts')}/`;

/**
 * Headless Chromium. `--no-sandbox` because CI runs as root; the rest keeps Chromium from calling
 * home, so a test sees only the requests the page itself makes.
 */
export const launchBrowser = (): Promise<Browser> =>
  chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });

/** What a page did that a user would notice or that breaks the "no internet needed" promise. */
export interface PageWatch {
  readonly page: Page;
  /** `console.error` messages and uncaught exceptions, in order. */
  readonly errors: ReadonlyArray<string>;
  /** Requests to anywhere but the api under test; each was refused. */
  readonly external: ReadonlyArray<string>;
  /** Saves a full-page PNG as `test-artifacts/<name>.png`. */
  screenshot(name: string): Promise<string>;
}

/**
 * A fresh page in its own context, watched. Every request that leaves `allowedOrigin` is aborted
 * and recorded: a test then fails if the page needs the internet, and never waits on it.
 */
export const openPage = async (
  browser: Browser,
  allowedOrigin: string,
  options: Parameters<Browser['newContext']>[0] = {},
): Promise<PageWatch & { readonly context: BrowserContext }> => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...options });
  const errors: string[] = [];
  const external: string[] = [];
  await context.route(
    (url) => url.origin !== allowedOrigin,
    async (route) => {
      external.push(route.request().url());
      await route.abort('blockedbyclient');
    },
  );
  const page = await context.newPage();
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => errors.push(`uncaught: ${error.message}`));
  return {
    context,
    page,
    errors,
    external,
    screenshot: async (name) => {
      await mkdir(ARTIFACTS_DIR, { recursive: true });
      const path = `${ARTIFACTS_DIR}${name}.png`;
      await page.screenshot({ path, fullPage: true });
      return path;
    },
  };
};
