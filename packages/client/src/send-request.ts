import { abortableSleep } from './abortable-sleep.js';
import type { ResolvedClientOptions } from './client-options.js';
import { idempotencyKeyFor } from './idempotency-key.js';
import { parseRetryAfter } from './retry-after.js';
import { retryDelay, type FailedAttempt } from './retry-policy.js';
import { sluiceErrorFrom } from './sluice-error.js';

/** One call to the api, before retries. */
export interface ApiRequest {
  readonly method: 'GET' | 'POST';
  /** From `/api`, with any query string. */
  readonly path: string;
  /** Sent as JSON. */
  readonly body?: unknown;
  /** The caller's Idempotency-Key for a POST. */
  readonly idempotencyKey?: string;
  readonly signal?: AbortSignal;
}

/** A 2xx answer: its status and its JSON body. */
export interface ApiAnswer {
  readonly status: number;
  readonly body: unknown;
}

/** What the shell takes from outside besides the options: injectable so its retries can be driven. */
export interface SendDeps {
  readonly now: () => number;
  readonly random: () => number;
}

const SYSTEM: SendDeps = { now: Date.now, random: Math.random };

const is2xx = (status: number): boolean => status >= 200 && status < 300;

/**
 * Sends `request`, retrying as the client's policy says (`retryDelay` decides; this only does
 * the I/O), and resolves to the first 2xx answer. A POST carries one Idempotency-Key on every
 * attempt (see `idempotencyKeyFor`).
 *
 * @throws {SluiceError} for a non-2xx answer that is not retried, or the last one.
 * @throws {TypeError} for a network failure that is not retried, or the last one.
 * @throws the signal's reason once it aborts, at once, without another attempt.
 */
export const sendRequest = async (
  client: ResolvedClientOptions,
  request: ApiRequest,
  deps: SendDeps = SYSTEM,
): Promise<ApiAnswer> => {
  const { signal } = request;
  const key =
    request.method === 'POST' ? idempotencyKeyFor(request.idempotencyKey, client.retry.attempts > 1) : undefined;
  const url = `${client.baseUrl}${request.path}`;
  const init = {
    method: request.method,
    headers: {
      ...client.headers,
      ...(request.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(key === undefined ? {} : { 'idempotency-key': key }),
    },
    ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
    ...(signal === undefined ? {} : { signal }),
  };
  for (let attempt = 1; ; attempt += 1) {
    signal?.throwIfAborted();
    let failed: FailedAttempt;
    let error: unknown;
    try {
      const response = await client.fetch(url, init);
      // Read inside the try: a connection cut while the body streams is a network failure too.
      const text = await response.text();
      if (is2xx(response.status)) return { status: response.status, body: parseAnswer(request, response.status, text) };
      error = sluiceErrorFrom(response.status, response.statusText, text);
      failed = {
        kind: 'answer',
        status: response.status,
        retryAfterMs: parseRetryAfter(response.headers.get('retry-after'), deps.now()),
      };
    } catch (thrown) {
      // fetch throws a TypeError for a failed network and an AbortError for an abort: only the first is retried.
      if (!(thrown instanceof TypeError) || signal?.aborted === true) throw thrown;
      error = thrown;
      failed = { kind: 'network' };
    }
    const delay = retryDelay(client.retry, failed, attempt, deps.random());
    if (delay === undefined) throw error;
    await abortableSleep(delay, signal);
  }
};

/** A 2xx body is the api's JSON; anything else means `baseUrl` points at something else. */
const parseAnswer = (request: ApiRequest, status: number, text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(
      `${request.method} ${request.path} answered ${status} with a body that is not JSON: is baseUrl the Sluice api?`,
    );
  }
};
