import { ApiResponseError } from './api-response-error.js';
import { ApiUnreachableError } from './api-unreachable-error.js';

/** A tiny JSON client for the Sluice API, just what the demo needs. */
export interface ApiClient {
  readonly baseUrl: string;
  /** GET `path`; resolves with the parsed body, or `undefined` for a 404. */
  get(path: string): Promise<unknown>;
  /** POST `body` to `path`; resolves with the parsed body when the status is `expected`. */
  post(path: string, body: unknown, expected?: number): Promise<unknown>;
}

/** Each request gets this long; the demo polls, so one slow answer is simply retried. */
const REQUEST_TIMEOUT_MS = 10_000;

/** RFC 9457 bodies carry `title`, `detail` and our field-level `errors`; show what is there. */
const describeProblem = (text: string): string => {
  try {
    const body = JSON.parse(text) as { title?: unknown; detail?: unknown; errors?: unknown };
    const parts = [body.title, body.detail].filter((part) => typeof part === 'string');
    if (Array.isArray(body.errors) && body.errors.length > 0) parts.push(JSON.stringify(body.errors));
    if (parts.length > 0) return parts.join(' — ');
  } catch {
    // Not JSON: show the start of the text below.
  }
  return text.replace(/\s+/g, ' ').slice(0, 300);
};

/**
 * Creates a client for the API at `baseUrl`. A refused connection becomes an
 * {@link ApiUnreachableError}; an unexpected status an {@link ApiResponseError}.
 *
 * @example
 * const api = createApiClient('http://localhost:8038');
 * const stats = await api.get('/api/tasks/stats');
 */
export const createApiClient = (baseUrl: string): ApiClient => {
  const root = baseUrl.replace(/\/+$/, '');

  const request = async (method: string, path: string, body?: unknown): Promise<Response> => {
    try {
      return await fetch(`${root}${path}`, {
        method,
        headers:
          body === undefined
            ? { accept: 'application/json' }
            : { 'content-type': 'application/json', accept: 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new ApiUnreachableError(root, cause?.code ?? cause?.message ?? (error as Error).message);
    }
  };

  const parse = async (method: string, path: string, response: Response, expected: number): Promise<unknown> => {
    const text = await response.text();
    if (response.status !== expected) throw new ApiResponseError(method, path, response.status, describeProblem(text));
    try {
      return text === '' ? undefined : (JSON.parse(text) as unknown);
    } catch {
      throw new ApiResponseError(method, path, response.status, `not JSON: ${text.slice(0, 200)}`);
    }
  };

  return {
    baseUrl: root,
    get: async (path) => {
      const response = await request('GET', path);
      if (response.status === 404) {
        await response.body?.cancel();
        return undefined;
      }
      return parse('GET', path, response, 200);
    },
    post: async (path, body, expected = 202) => parse('POST', path, await request('POST', path, body), expected),
  };
};
