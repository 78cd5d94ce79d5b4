import { z } from 'zod';

/*
 * The provider's bulk delivery API, as the client sends it and the fake provider serves it:
 *
 *   POST /v1/customers/:customerId/deliveries/bulk   { "items": [BulkItem, …] }   (at most 100)
 *   200 { "results": [ItemResult, …] }                one result per item, matched by `id`
 *
 * Each item's `status` is an HTTP status of its own: 2xx accepted (with the provider's
 * `deliveryId`), anything else rejected, with an `error`. The request as a whole answers 200
 * even when some items are rejected; a status other than 200 means no item was taken.
 */

/** The most items the provider takes in one bulk request. */
export const BULK_LIMIT = 100;

/** The path of one customer's bulk endpoint, under the provider's base URL. */
export const bulkPath = (customerId: string): string =>
  `/v1/customers/${encodeURIComponent(customerId)}/deliveries/bulk`;

export const bulkItem = z.object({
  /**
   * The Sluice task id. The provider treats it as an idempotency key: a handler runs at least
   * once per task (see docs/delivery.md), so an item sent again after a worker crash must not
   * be delivered twice.
   */
  id: z.string().min(1),
  url: z.string(),
  event: z.string(),
  body: z.json(),
});
export type BulkItem = z.output<typeof bulkItem>;

export const bulkRequest = z.object({ items: z.array(bulkItem).min(1).max(BULK_LIMIT) });
export type BulkRequest = z.output<typeof bulkRequest>;

const httpStatus = z.int().min(100).max(599);

const isSuccess = (status: number): boolean => status >= 200 && status <= 299;

/** Accepted (`status` 2xx, with the provider's `deliveryId`) or rejected (any other, with an `error`). */
export const itemResult = z.union([
  z.object({ id: z.string(), status: httpStatus.refine(isSuccess), deliveryId: z.string().min(1) }),
  z.object({ id: z.string(), status: httpStatus.refine((status) => !isSuccess(status)), error: z.string() }),
]);
export type ItemResult = z.output<typeof itemResult>;

export const bulkAnswer = z.object({ results: z.array(itemResult) });
export type BulkAnswer = z.output<typeof bulkAnswer>;
