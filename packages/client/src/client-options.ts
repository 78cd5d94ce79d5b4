import type { FetchLike } from './fetch-like.js';
import { resolveRetryPolicy, type RetryOptions, type RetryPolicy } from './retry-policy.js';

/**
 * Options of {@link createClient}. Here and in every call's options, an optional field may also
 * be given as `undefined` (`apiKey: process.env.KEY`): callers compiled with
 * exactOptionalPropertyTypes would otherwise have to spread each one in.
 */
export interface ClientOptions {
  /**
   * Where the api is: its origin, plus the path a proxy serves it under if any
   * (`https://sluice.example.com`, `https://example.com/sluice`). In a page served by the api
   * itself, `location.origin`.
   */
  readonly baseUrl: string;
  /** Sent as `Authorization: Bearer <apiKey>`, for an api with `API_KEYS`. Default: none. */
  readonly apiKey?: string | undefined;
  /** The `fetch` to send requests with. Default: the global `fetch`, looked up at each call. */
  readonly fetch?: FetchLike | undefined;
  /**
   * How `503`/`429` answers with `Retry-After` and network failures are retried (see
   * `retry-policy.ts`). `false`: each request is sent once. Default {@link DEFAULT_RETRY}.
   */
  readonly retry?: RetryOptions | false | undefined;
}

/** {@link ClientOptions} checked, with every default applied. */
export interface ResolvedClientOptions {
  /** Without a trailing slash, so paths can follow it. */
  readonly baseUrl: string;
  /** Sent with every request. */
  readonly headers: Readonly<Record<string, string>>;
  readonly fetch: FetchLike;
  readonly retry: RetryPolicy;
}

const API_KEY = /^[\x21-\x7e]+$/;

/**
 * Checks the options at once, each error naming its field, and applies the defaults.
 *
 * @throws {TypeError} for a `baseUrl` that is not an http(s) URL, or an `apiKey` that is not
 *   visible ASCII (it could not be sent as a header).
 * @throws {RangeError} for a `retry` field out of range.
 */
export const resolveClientOptions = (options: ClientOptions): ResolvedClientOptions => {
  let url: URL | undefined;
  try {
    url = new URL(options.baseUrl);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new TypeError(`baseUrl must be an http or https URL, got ${JSON.stringify(options.baseUrl)}`);
  }
  if (options.apiKey !== undefined && !API_KEY.test(options.apiKey)) {
    throw new TypeError('apiKey must be visible ASCII characters without spaces');
  }
  return {
    baseUrl: options.baseUrl.replace(/\/+$/, ''),
    headers: {
      accept: 'application/json, application/problem+json',
      ...(options.apiKey === undefined ? {} : { authorization: `Bearer ${options.apiKey}` }),
    },
    // Called through a closure, not stored: a browser's fetch called as another object's method
    // throws "Illegal invocation", and a fetch patched after createClient (by a test or tracing
    // library) is still the one used.
    fetch: options.fetch ?? ((url, init) => globalThis.fetch(url, init)),
    retry: resolveRetryPolicy(options.retry),
  };
};
