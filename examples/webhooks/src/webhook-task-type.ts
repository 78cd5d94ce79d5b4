import { defineTaskType, type TaskType } from '@sluice/tasks';
import { BULK_LIMIT } from './bulk-api.js';
import { deliveryResult, outcomesOf } from './bulk-outcomes.js';
import { sendBulk } from './send-bulk.js';
import { webhookPayload } from './webhook-payload.js';

export interface WebhookTaskTypeOptions {
  /** The provider's base URL, without a trailing slash (`readProviderUrl`). */
  readonly providerUrl: string;
  /** How long a bulk request may wait for the provider's answer, in ms. Default 10,000. */
  readonly timeoutMs?: number;
}

/**
 * The WEBHOOK task type: each group holds one customer's deliveries (`groupBy`) and goes to the
 * provider as one bulk request; each task's outcome is its item's result (see `outcomesOf`), so
 * only the items the provider refused for now go back to the queue, and each delivered one
 * writes a row to `webhook_deliveries` (migrations/001_webhook_deliveries.sql).
 *
 * @example
 * export default [createWebhookTaskType({ providerUrl: 'http://127.0.0.1:8090' })];
 */
export const createWebhookTaskType = (options: WebhookTaskTypeOptions): TaskType<typeof webhookPayload> =>
  defineTaskType({
    name: 'WEBHOOK',
    payload: webhookPayload,
    // The provider's limit per bulk request; the timeout is the worker's BATCH_TIMEOUT_MS.
    batch: { size: BULK_LIMIT },
    groupBy: (payload) => payload.customerId,
    sample: (n) => ({
      customerId: `customer-${n % 5}`,
      url: `https://hooks.example.com/customer-${n % 5}`,
      event: 'invoice.paid',
      body: { invoice: `inv_${n}` },
    }),
    sink: {
      // No unique key of its own: Sluice writes a task's rows only in the commit that completes it.
      table: 'webhook_deliveries',
      rows: (task, result) => {
        const { deliveryId, status } = deliveryResult.parse(result);
        return [
          {
            task_id: task.id,
            customer_id: task.payload.customerId,
            url: task.payload.url,
            event: task.payload.event,
            delivery_id: deliveryId,
            provider_status: status,
            attempts: task.attempt,
          },
        ];
      },
    },
    handle: async (tasks, { signal, logger, group }) => {
      // groupBy above makes the key the customer id; without it the group could mix customers.
      const customerId = group.key;
      if (customerId === null) throw new Error('WEBHOOK groups are keyed by customer: groupBy is missing');
      const reply = await sendBulk({
        baseUrl: options.providerUrl,
        customerId,
        items: tasks.map(({ id, payload }) => ({ id, url: payload.url, event: payload.event, body: payload.body })),
        signal,
        ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
      });
      if (reply.kind === 'failed') logger.warn('bulk request failed', { reason: reply.reason, items: tasks.length });
      return outcomesOf(
        tasks.map((task) => task.id),
        reply,
      );
    },
  });
