import type { Json, SinkRow, TaskInput } from '@sluice/tasks';
import type { ParsedView } from './parse-view.js';
import type { PageViewPayload } from './page-view-payload.js';

/**
 * The `page_views` row of one completed view (migrations/001_page_views.sql). The columns it
 * leaves out, `id` and `recorded_at`, take their defaults; PostgreSQL casts `viewed_at`'s ISO
 * text to a timestamptz.
 */
export const pageViewRows = (task: TaskInput<PageViewPayload>, result: Json): ReadonlyArray<SinkRow> => {
  // Sluice calls this only for a task `handle` just completed, with the result it answered,
  // which page-view.ts makes with parseView: the cast restates that, it does not guess.
  const view = result as ParsedView;
  return [
    {
      task_id: task.id,
      site: task.payload.site,
      visitor_id: task.payload.visitorId,
      viewed_at: task.payload.viewedAt,
      host: view.host,
      path: view.path,
      utm_source: view.utmSource,
      utm_medium: view.utmMedium,
      utm_campaign: view.utmCampaign,
      referrer_host: view.referrerHost,
      browser: view.browser,
      browser_major: view.browserMajor,
      os: view.os,
      device: view.device,
    },
  ];
};
