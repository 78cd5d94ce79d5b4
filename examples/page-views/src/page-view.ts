import { defineTaskType, type TaskOutcome } from '@sluice/tasks';
import { PageUrlError } from './page-url-error.js';
import { pageViewRows } from './page-view-rows.js';
import { pageViewPayload, type PageViewPayload } from './page-view-payload.js';
import { parseView } from './parse-view.js';

const outcomeOf = (payload: PageViewPayload): TaskOutcome => {
  try {
    return { ok: true, result: parseView(payload) };
  } catch (error) {
    // A URL that does not parse now never will: fail this view for good, and only this one.
    if (error instanceof PageUrlError) return { ok: false, error: error.message, retry: false };
    // Anything else is a bug in this module, as wrong for the next task as for this one: let it
    // fail the group's attempt, so its tasks come back once the bug is fixed.
    throw error;
  }
};

const SAMPLE_AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (Android 14; Mobile; rv:125.0) Gecko/125.0 Firefox/125.0',
] as const;

/**
 * `PAGE_VIEW`: parses a page view's URL and user agent and writes one `page_views` row per view,
 * exactly once, in the statement that commits the group.
 *
 * - `groupBy` site: a group holds one site's views, and its batch row names the site
 *   (`GET /api/tasks/batches`, the dashboard's batch list).
 * - `batch`: parsing costs microseconds, so groups are large and the database sees one
 *   statement per 500 views; a quiet site's views wait at most a second.
 */
export const pageView = defineTaskType({
  name: 'PAGE_VIEW',
  payload: pageViewPayload,
  batch: { size: 500, timeoutMs: 1_000 },
  groupBy: (view) => view.site,
  sink: { table: 'page_views', rows: pageViewRows },
  // For the load generator: `{"count": 10000, "taskTypes": ["PAGE_VIEW"]}`.
  sample: (n) => ({
    site: n % 2 === 0 ? 'shop' : 'blog',
    visitorId: `visitor-${n % 97}`,
    url: `https://example.com/products/${n % 50}?utm_source=sample`,
    userAgent: SAMPLE_AGENTS[n % SAMPLE_AGENTS.length] ?? '',
    viewedAt: new Date().toISOString(),
  }),
  handle: async (tasks) => tasks.map((task) => outcomeOf(task.payload)),
});
