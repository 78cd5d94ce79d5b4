import helmet from 'helmet';
import type { RequestHandler } from 'express';

type Directives = Readonly<Record<string, ReadonlyArray<string>>>;

/**
 * The Content-Security-Policy of every response but Bull Board's. The dashboard is built for it:
 * scripts and styles are files under /dashboard (no inline `<script>`, `<style>` or `style=`),
 * Chart.js is served from the api, and the page fetches only its own origin. JSON and problem
 * documents carry it too, so one opened in a browser tab can run nothing either.
 *
 * `upgrade-insecure-requests` (in helmet's defaults) is left out: the api speaks plain HTTP behind
 * its TLS proxy, and on a plain-HTTP origin the directive would send the page's own requests to
 * an https:// URL nobody answers.
 */
export const STRICT_CSP: Directives = {
  'default-src': ["'self'"],
  'script-src': ["'self'"],
  'script-src-attr': ["'none'"],
  'style-src': ["'self'"],
  'img-src': ["'self'", 'data:'],
  'font-src': ["'self'"],
  'connect-src': ["'self'"],
  'object-src': ["'none'"],
  'base-uri': ["'self'"],
  'form-action': ["'self'"],
  'frame-ancestors': ["'none'"],
};

/**
 * Bull Board's page puts its loading spinner in `style=""` attributes and a `<style>` element,
 * and its React UI sets inline styles as it renders; its scripts are files. So only styles are
 * relaxed, and only under Bull Board's path.
 */
export const BOARD_CSP: Directives = {
  ...STRICT_CSP,
  'style-src': ["'self'", "'unsafe-inline'"],
};

const toHelmet = (directives: Directives): Record<string, string[]> =>
  Object.fromEntries(Object.entries(directives).map(([name, values]) => [name, [...values]]));

/**
 * helmet's security headers on every response (404s and problem documents included, as it runs
 * before any route): HSTS, `X-Content-Type-Options: nosniff`, `X-Frame-Options`,
 * `Referrer-Policy: no-referrer`, the cross-origin policies, and {@link STRICT_CSP}.
 *
 * @example
 * app.use(createSecurityHeaders());
 * app.use(BOARD_PATH, createBoardSecurityHeaders(), board);
 */
export const createSecurityHeaders = (): RequestHandler =>
  helmet({ contentSecurityPolicy: { useDefaults: false, directives: toHelmet(STRICT_CSP) } });

/** Replaces the strict policy with {@link BOARD_CSP}; mount it on Bull Board's path only. */
export const createBoardSecurityHeaders = (): RequestHandler =>
  helmet.contentSecurityPolicy({ useDefaults: false, directives: toHelmet(BOARD_CSP) });
