import { PageUrlError } from './page-url-error.js';

/** What a page view's URL says: where it was, and which campaign brought the visitor. */
export type PageUrl = {
  /** Host name, lower-cased, with the port when it is not the scheme's default: `shop.example.com:8443`. */
  readonly host: string;
  /** The path as the URL parser normalises it (dot segments resolved, unsafe characters escaped). */
  readonly path: string;
  /** `utm_source`, `utm_medium`, `utm_campaign` of the query; `null` when absent or empty. */
  readonly utmSource: string | null;
  readonly utmMedium: string | null;
  readonly utmCampaign: string | null;
};

const utm = (params: URLSearchParams, name: string): string | null => {
  const value = params.get(name)?.trim();
  return value === undefined || value === '' ? null : value;
};

/**
 * Parses the URL of a viewed page with the WHATWG URL parser (the browser's own rules, so what a
 * tracking snippet reads from `location.href` parses the same here). Only absolute http and https
 * URLs are pages; the fragment is dropped, as it never reaches a server.
 *
 * @throws {PageUrlError} for text that is not an absolute http(s) URL.
 *
 * @example
 * parsePageUrl('https://Shop.Example.com/shoes?utm_source=newsletter#top');
 * // { host: 'shop.example.com', path: '/shoes', utmSource: 'newsletter', utmMedium: null, utmCampaign: null }
 */
export const parsePageUrl = (text: string): PageUrl => {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    // The parser's own TypeError says only "Invalid URL"; the named error says which and why.
    throw new PageUrlError(text, 'is not an absolute URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new PageUrlError(text, `is not an http or https page (scheme ${url.protocol.slice(0, -1)})`);
  }
  return {
    host: url.host,
    path: url.pathname,
    utmSource: utm(url.searchParams, 'utm_source'),
    utmMedium: utm(url.searchParams, 'utm_medium'),
    utmCampaign: utm(url.searchParams, 'utm_campaign'),
  };
};

/**
 * The host a referrer names, or `null` for none. Unlike the page URL, a referrer that does not
 * parse is no reason to lose the view: browsers send odd ones (`android-app://…`, truncated text),
 * and the view itself is still good.
 *
 * @example
 * referrerHost('https://www.google.com/search?q=shoes'); // 'www.google.com'
 * referrerHost('not a url'); // null
 */
export const referrerHost = (text: string | undefined): string | null => {
  if (text === undefined || text === '') return null;
  try {
    const host = new URL(text).hostname;
    return host === '' ? null : host;
  } catch {
    return null;
  }
};
