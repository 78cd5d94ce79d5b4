import { type BulkAnswer, type BulkItem, bulkAnswer, bulkPath } from './bulk-api.js';

/** What came of one bulk request: the provider's answer, or why there is none. */
export type BulkReply =
  | { readonly kind: 'answered'; readonly answer: BulkAnswer }
  | {
      readonly kind: 'failed';
      readonly reason: string;
      /** The status the provider answered the whole request with; absent when it never answered. */
      readonly status?: number;
    };

export interface SendBulkOptions {
  /** The provider's base URL, without a trailing slash (`readProviderUrl`). */
  readonly baseUrl: string;
  /** The customer whose bulk endpoint takes the items. */
  readonly customerId: string;
  /** At most `BULK_LIMIT` items, all of this customer. */
  readonly items: ReadonlyArray<BulkItem>;
  /** The handler's signal: aborts the request when the worker's shutdown grace runs out. */
  readonly signal: AbortSignal;
  /** How long to wait for the provider's answer, in ms. Default 10,000. */
  readonly timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 10_000;

/** The start of a body, for an error message: enough to recognise, never a whole page. */
const excerpt = (text: string): string => (text.length > 300 ? `${text.slice(0, 300)}…` : text);

const causeOf = (error: unknown): string => {
  const cause = (error as { cause?: unknown }).cause;
  return cause instanceof Error ? ` (${cause.message})` : '';
};

/**
 * Sends one customer's items to the provider's bulk endpoint. Never throws: a request that fails
 * as a whole (no connection, a timeout, an abort, a status other than 200, an answer that is not
 * a bulk answer) is a `failed` reply saying why, so that each task still gets its outcome.
 *
 * @example
 * const reply = await sendBulk({ baseUrl, customerId: 'acme', items, signal });
 * if (reply.kind === 'answered') console.log(reply.answer.results);
 */
export const sendBulk = async (options: SendBulkOptions): Promise<BulkReply> => {
  const { baseUrl, customerId, items, signal, timeoutMs = DEFAULT_TIMEOUT_MS } = options;
  const timeout = AbortSignal.timeout(timeoutMs);
  let status: number;
  let text: string;
  try {
    const response = await fetch(`${baseUrl}${bulkPath(customerId)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ items }),
      signal: AbortSignal.any([signal, timeout]),
    });
    status = response.status;
    text = await response.text();
  } catch (error) {
    if (signal.aborted) return { kind: 'failed', reason: 'the bulk request was aborted: the worker is shutting down' };
    if (timeout.aborted) return { kind: 'failed', reason: `the provider did not answer within ${timeoutMs} ms` };
    return { kind: 'failed', reason: `the bulk request failed: ${(error as Error).message}${causeOf(error)}` };
  }
  if (status !== 200) {
    return { kind: 'failed', status, reason: `the provider answered ${status} to the bulk request: ${excerpt(text)}` };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { kind: 'failed', reason: `the provider answered 200 with a body that is not JSON: ${excerpt(text)}` };
  }
  const parsed = bulkAnswer.safeParse(json);
  if (!parsed.success) {
    return {
      kind: 'failed',
      reason: `the provider answered 200 with a body that is not a bulk answer: ${excerpt(text)}`,
    };
  }
  return { kind: 'answered', answer: parsed.data };
};
