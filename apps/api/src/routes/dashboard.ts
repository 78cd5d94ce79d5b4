import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { Router } from 'express';

/**
 * The page, and its own files under `dashboard/` (the API reference's live beside them in
 * `api-docs/`, served by its own routes). Resolved from this module, not the working directory:
 * `src/routes/` and `dist/routes/` sit at the same depth, so both the tests and
 * `node dist/main.js` find `apps/api/public/` wherever they are started from.
 */
const PUBLIC_DIR = fileURLToPath(new URL('../../public/', import.meta.url));
const ASSETS_DIR = join(PUBLIC_DIR, 'dashboard');

/** Where the dashboard's assets are served; the page links to them under this path. */
export const DASHBOARD_ASSETS = '/dashboard';

/**
 * Chart.js's browser build, from the installed package: the dashboard needs no CDN. Its exports
 * map only names the module builds, so the UMD file is found next to the CommonJS entry point.
 */
const chartJsDir = (): string => dirname(createRequire(import.meta.url).resolve('chart.js'));

/**
 * The live batch dashboard: `GET /` is the page, its scripts and styles are under
 * {@link DASHBOARD_ASSETS}, and Chart.js is under `/dashboard/vendor/chart.js/`. The page reads
 * `/api/tasks/stats`, `/api/tasks/throughput` and `/api/tasks/batches` once a second.
 *
 * Assets are revalidated on every load (ETag) rather than cached for a time: their names carry
 * no version, and a stale script after an upgrade would be worse than a 304.
 */
export const createDashboardRoutes = (): Router => {
  const router = Router();
  const files = { index: false, maxAge: 0, fallthrough: true } as const;
  router.get('/', (_request, response) => {
    response.sendFile(join(PUBLIC_DIR, 'index.html'), { maxAge: 0 });
  });
  router.use(`${DASHBOARD_ASSETS}/vendor/chart.js`, express.static(chartJsDir(), files));
  router.use(DASHBOARD_ASSETS, express.static(ASSETS_DIR, files));
  return router;
};
