import { parsePageUrl, referrerHost, type PageUrl } from './page-url.js';
import type { PageViewPayload } from './page-view-payload.js';
import { parseUserAgent, type UserAgent } from './user-agent.js';

/** What the handler makes of one view: its task's result, and the parsed half of its row. */
export type ParsedView = PageUrl & UserAgent & { readonly referrerHost: string | null };

/**
 * Parses a view's URL, referrer and user agent.
 *
 * @throws {PageUrlError} when the page URL is not an absolute http(s) URL.
 *
 * @example
 * parseView({ site: 'shop', visitorId: 'v1', url: 'https://shop.example.com/', userAgent: 'curl/8.5.0', viewedAt: '2026-03-01T12:00:00Z' });
 * // { host: 'shop.example.com', path: '/', …, referrerHost: null, browser: 'Other', browserMajor: null, os: 'Other', device: 'unknown' }
 */
export const parseView = (payload: PageViewPayload): ParsedView => ({
  ...parsePageUrl(payload.url),
  referrerHost: referrerHost(payload.referrer),
  ...parseUserAgent(payload.userAgent),
});
