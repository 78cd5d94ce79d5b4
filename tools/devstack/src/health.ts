/** What the last health check saw, for the message when the api never becomes healthy. */
export type HealthResult = { readonly healthy: true } | { readonly healthy: false; readonly last: string };

export interface WaitForHealthOptions {
  /** `http://127.0.0.1:<port>/actuator/health`. */
  readonly url: string;
  /** Give up after this many ms. Default 60,000: a first start compiles nothing but may run initdb. */
  readonly timeoutMs?: number;
  /** Pause between checks in ms. Default 250. */
  readonly intervalMs?: number;
  /** Stops waiting early (Ctrl-C, or the api was given up on). */
  readonly signal?: AbortSignal;
}

/** One check may hang on a half-started server; it must not hold up the next. */
const REQUEST_TIMEOUT_MS = 2_000;

/**
 * A fetch of `url` that gives up after `ms` or when `signal` aborts. (AbortSignal.any would do,
 * but it needs Node 20.3 and the engines field allows 20.0.)
 */
const fetchWithin = async (url: string, ms: number, signal: AbortSignal | undefined): Promise<Response> => {
  const controller = new AbortController();
  const abort = (): void => controller.abort();
  const timer = setTimeout(abort, ms);
  signal?.addEventListener('abort', abort, { once: true });
  try {
    return await fetch(url, { signal: controller.signal });
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', abort);
  }
};

const describeResponse = async (response: Response): Promise<string> => {
  const body = (await response.text().catch(() => '')).replace(/\s+/g, ' ').slice(0, 300);
  return `HTTP ${response.status}${body ? `: ${body}` : ''}`;
};

/**
 * Polls the api's health endpoint until it answers 200. Never throws: the result says whether
 * it got there and, if not, what the last attempt saw.
 *
 * @example
 * const health = await waitForHealth({ url: 'http://127.0.0.1:8038/actuator/health' });
 */
export const waitForHealth = async (options: WaitForHealthOptions): Promise<HealthResult> => {
  const { url, timeoutMs = 60_000, intervalMs = 250, signal } = options;
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  while (!signal?.aborted && Date.now() < deadline) {
    try {
      const response = await fetchWithin(url, REQUEST_TIMEOUT_MS, signal);
      if (response.status === 200) {
        await response.body?.cancel();
        return { healthy: true };
      }
      last = await describeResponse(response);
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause;
      last = cause?.code ?? (error as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  return { healthy: false, last: signal?.aborted ? 'stopped waiting' : last };
};
