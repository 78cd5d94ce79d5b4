import { z } from 'zod';

/**
 * One webhook to deliver: `event` with `body`, to the endpoint `url` that the customer
 * `customerId` registered. What `POST /api/tasks` takes as the WEBHOOK task's payload.
 */
export const webhookPayload = z.object({
  /** Your customer: the provider's bulk endpoint takes one customer's deliveries per request. */
  customerId: z.string().min(1).max(200),
  url: z.url({ protocol: /^https?$/ }),
  event: z.string().min(1).max(200),
  body: z.json(),
});

export type WebhookPayload = z.output<typeof webhookPayload>;
