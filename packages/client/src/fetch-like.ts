/** The request the client hands to `fetch`: a subset of `RequestInit` in Node and in browsers. */
export interface FetchInit {
  readonly method: 'GET' | 'POST';
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
  readonly signal?: AbortSignal;
}

/** What the client reads of an answer: a subset of `Response`. */
export interface FetchResponse {
  readonly status: number;
  readonly statusText: string;
  readonly headers: { get(name: string): string | null };
  text(): Promise<string>;
}

/**
 * The smallest `fetch` the client needs; the global one is such a function, and so is a wrapper
 * that adds tracing or records requests. It must throw a `TypeError` for a network failure, as
 * `fetch` does: that is what the client retries.
 */
export type FetchLike = (url: string, init: FetchInit) => Promise<FetchResponse>;
