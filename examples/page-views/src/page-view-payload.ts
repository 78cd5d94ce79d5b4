import { z } from 'zod';

/**
 * One page view, as a site's tracking snippet sends it (`POST /api/tasks` with
 * `{"taskType":"PAGE_VIEW","payload":{…}}`).
 */
export const pageViewPayload = z.object({
  /** The tracked site, as its snippet names it: lower-case letters, digits and dashes. */
  site: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be 1-63 lower-case letters, digits or dashes'),
  /** The snippet's first-party visitor id (a cookie's value): opaque text. */
  visitorId: z.string().min(1).max(128),
  /**
   * `location.href` of the viewed page. A plain string, not `z.url()`: the api would answer a
   * malformed one with 422, which a fire-and-forget beacon never reads; accepted, the handler
   * fails that task alone and for good, and `GET /api/tasks/:id` says why.
   */
  url: z.string().min(1).max(8_192),
  /** `document.referrer`; absent or empty for a direct visit. */
  referrer: z.string().max(8_192).optional(),
  /** The `User-Agent` header of the beacon's request. */
  userAgent: z.string().max(2_048),
  /** When the page was viewed, on the visitor's clock: ISO 8601 with an offset (`…Z` or `…+02:00`). */
  viewedAt: z.iso.datetime({ offset: true }),
});

export type PageViewPayload = z.output<typeof pageViewPayload>;
