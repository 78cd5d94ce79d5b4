-- One row per webhook the provider accepted, written by the WEBHOOK task type's sink in the same
-- statement that commits its task as COMPLETED. A task that fails writes none.
--
-- No unique key on task_id: Sluice writes a task's sink rows only in the commit that newly
-- completes it, so a redelivered task adds no second row (docs/delivery.md in the Sluice repo).
CREATE TABLE webhook_deliveries (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  task_id uuid NOT NULL,
  customer_id text NOT NULL,
  url text NOT NULL,
  event text NOT NULL,
  -- The provider's id for the delivery and the status it accepted the item with (2xx).
  delivery_id text NOT NULL,
  provider_status integer NOT NULL CHECK (provider_status BETWEEN 200 AND 299),
  -- 1 when the first attempt went through, 2 after one retry, …
  attempts integer NOT NULL CHECK (attempts >= 1),
  delivered_at timestamptz NOT NULL DEFAULT now()
);

-- "What did we send this customer lately?"
CREATE INDEX webhook_deliveries_customer_idx ON webhook_deliveries (customer_id, delivered_at);
