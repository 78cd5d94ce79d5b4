import type { TaskOutcome } from '@sluice/tasks';
import { z } from 'zod';
import type { ItemResult } from './bulk-api.js';
import type { BulkReply } from './send-bulk.js';

/** What a delivered webhook's task stores as its result, and its sink row reads back. */
export const deliveryResult = z.object({ deliveryId: z.string(), status: z.int() });
export type DeliveryResult = z.output<typeof deliveryResult>;

/**
 * Whether a status (of one item, or of the whole bulk request) may go away by itself: a timeout,
 * too early, rate limited, or a server error. Any other 4xx says the same request will be
 * refused again, so retrying it only delays the failure.
 */
export const isTransientStatus = (status: number): boolean =>
  status === 408 || status === 425 || status === 429 || status >= 500;

const itemOutcome = (result: ItemResult | undefined): TaskOutcome => {
  if (result === undefined) {
    // The provider took the request but said nothing of this item: sending it again is safe,
    // since its id is the provider's idempotency key.
    return { ok: false, error: "the provider's answer held no result for this item", retry: true };
  }
  if ('deliveryId' in result) {
    const delivered: DeliveryResult = { deliveryId: result.deliveryId, status: result.status };
    return { ok: true, result: delivered };
  }
  const retry = isTransientStatus(result.status);
  const verdict = retry ? 'refused this item for now' : 'rejected this item';
  return { ok: false, error: `the provider ${verdict} with ${result.status}: ${result.error}`, retry };
};

/**
 * One outcome per task, in the order of `taskIds`, from what the provider answered to the
 * group's bulk request:
 *
 * - an item it accepted completes with its `deliveryId` and `status`;
 * - an item it refused with a transient status (408, 425, 429, 5xx) goes back to the queue alone,
 *   and one it rejected with any other status fails for good;
 * - an item its answer leaves out is retried;
 * - a request that failed as a whole (no connection, a timeout, a shutdown, a 5xx or 429, an
 *   answer that is not a bulk answer) retries every item; one it refused as a whole with another
 *   4xx fails every item for good, by the same rule as a single item.
 *
 * @example
 * outcomesOf(['t1', 't2'], { kind: 'answered', answer: { results: [
 *   { id: 't1', status: 202, deliveryId: 'dlv_1' },
 *   { id: 't2', status: 503, error: 'busy' },
 * ] } });
 * // [{ ok: true, result: { deliveryId: 'dlv_1', status: 202 } },
 * //  { ok: false, error: 'the provider refused this item for now with 503: busy', retry: true }]
 */
export const outcomesOf = (taskIds: ReadonlyArray<string>, reply: BulkReply): ReadonlyArray<TaskOutcome> => {
  if (reply.kind === 'failed') {
    const retry = reply.status === undefined || isTransientStatus(reply.status);
    return taskIds.map(() => ({ ok: false, error: reply.reason, retry }));
  }
  // The first result for an id counts: a provider that repeats one has no say in which wins.
  const byId = new Map<string, ItemResult>();
  for (const result of reply.answer.results) if (!byId.has(result.id)) byId.set(result.id, result);
  return taskIds.map((id) => itemOutcome(byId.get(id)));
};
