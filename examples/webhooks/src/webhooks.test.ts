import { type NodeProcess, test as base, waitFor } from '@sluice/testkit';
import pg from 'pg';
import { describe, expect } from 'vitest';
import type { BulkItem } from './bulk-api.js';
import { type FakeProvider, startFakeProvider } from './fake-provider.js';
import { finished, example, sluice } from './test-sluice.js';
import type { WebhookPayload } from './webhook-payload.js';

/*
 * The example as its README runs it: `sluice migrate` and the example's own migration, then the
 * worker and the api through the `sluice` command with `--tasks dist/tasks.js`, the fake provider
 * at WEBHOOKS_PROVIDER_URL, and deliveries submitted over HTTP. Real Redis and PostgreSQL.
 */

interface TaskView {
  readonly id: string;
  readonly status: string;
  readonly attempts: number;
  readonly result: unknown;
  readonly error: string | null;
}

interface Harness {
  readonly provider: FakeProvider;
  /** The environment of every process: this test's Redis queue and database, and the fake provider. */
  readonly env: Readonly<Record<string, string>>;
  readonly db: pg.Client;
  /** Runs both migrations, starts a worker and the api; resolves to the api's base URL. */
  startSluice(): Promise<string>;
}

const test = base.extend<{ harness: Harness }>({
  harness: async ({ redisUrl, databaseUrl, queueName }, use) => {
    const provider = await startFakeProvider();
    const env = {
      REDIS_URL: redisUrl,
      DATABASE_URL: databaseUrl,
      QUEUE_NAME: queueName,
      WEBHOOKS_PROVIDER_URL: provider.url,
      // Short waits so the spec takes seconds: groups leave after 200 ms, the first retry after 100 ms.
      BATCH_TIMEOUT_MS: '200',
      BACKOFF_DELAY_MS: '100',
      METRICS_PORT: '0',
      PORT: '0',
      LOG_FORMAT: 'json',
    };
    const db = new pg.Client({ connectionString: databaseUrl });
    const started: NodeProcess[] = [];
    let connected = false;
    await use({
      provider,
      env,
      db,
      startSluice: async () => {
        expect(await finished(await sluice(['migrate'], env))).toMatchObject({ code: 0 });
        expect(await finished(example('dist/bin/migrate.js', env))).toEqual({
          code: 0,
          output: 'applied migration 001_webhook_deliveries.sql\n',
        });
        await db.connect();
        connected = true;
        const worker = await sluice(['worker', '--tasks', 'dist/tasks.js'], env);
        started.push(worker);
        const api = await sluice(['api', '--tasks', 'dist/tasks.js'], env);
        started.push(api);
        await worker.waitForOutput(/"worker started"/);
        const { port } = JSON.parse(await api.waitForOutput(/"api listening"/)) as { port: number };
        return `http://127.0.0.1:${port}`;
      },
    });
    for (const child of started) child.kill('SIGTERM');
    await Promise.all(started.map((child) => child.exited));
    if (connected) await db.end();
    await provider.close();
  },
});

const delivery = (customerId: string, host: string, n: number): WebhookPayload => ({
  customerId,
  url: `https://${host}.example.com/webhooks/${customerId}`,
  event: 'invoice.paid',
  body: { invoice: `inv_${customerId}_${n}` },
});

describe('webhooks through the bulk endpoint, one request per customer', () => {
  test('retries only the items the provider refused for now, fails the one it rejected, and writes one row per delivered webhook', async ({
    harness,
  }) => {
    const api = await harness.startSluice();
    const payloads = [
      delivery('acme', 'hooks', 1),
      delivery('acme', 'flaky', 2), // 503 the first time
      delivery('acme', 'hooks', 3),
      delivery('globex', 'hooks', 1),
      delivery('globex', 'throttled', 2), // 429 the first time
      delivery('globex', 'hooks', 3),
      delivery('initech', 'hooks', 1),
      delivery('initech', 'invalid', 2), // 422 every time
      delivery('initech', 'hooks', 3),
      delivery('umbrella', 'hooks', 1),
    ];
    const submitted = await fetch(`${api}/api/tasks/batch`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ tasks: payloads.map((payload) => ({ taskType: 'WEBHOOK', payload })) }),
    });
    expect(submitted.status).toBe(202);
    const { taskIds } = (await submitted.json()) as { taskIds: string[] };
    const payloadOf = new Map(taskIds.map((id, n) => [id, payloads[n]!]));
    const idOf = (host: string) =>
      taskIds[payloads.findIndex((payload) => payload.url.startsWith(`https://${host}.`))]!;

    const views = await waitFor(
      async () => {
        const all = await Promise.all(
          taskIds.map(async (id) => (await (await fetch(`${api}/api/tasks/${id}`)).json()) as TaskView),
        );
        return all.every((view) => view.status === 'COMPLETED' || view.status === 'FAILED') ? all : undefined;
      },
      { what: 'every delivery committed', timeoutMs: 60_000, intervalMs: 100 },
    );

    // groupBy: every bulk request went to one customer's endpoint with only that customer's items.
    const requests = harness.provider.received();
    for (const request of requests) {
      const customers = request.items.map((item: BulkItem) => payloadOf.get(item.id)?.customerId);
      expect(customers, `a bulk request to ${request.customerId}`).toEqual(customers.map(() => request.customerId));
    }
    expect(new Set(requests.map((request) => request.customerId))).toEqual(
      new Set(['acme', 'globex', 'initech', 'umbrella']),
    );

    // Only the two items refused for now were sent again; every other item, the rejected one too, once.
    const sent = new Map<string, number>();
    for (const item of requests.flatMap((request) => request.items)) sent.set(item.id, (sent.get(item.id) ?? 0) + 1);
    const twice = [idOf('flaky'), idOf('throttled')];
    expect(Object.fromEntries(sent)).toEqual(Object.fromEntries(taskIds.map((id) => [id, twice.includes(id) ? 2 : 1])));

    const rejected = idOf('invalid');
    expect(views.find((view) => view.id === rejected)).toMatchObject({
      status: 'FAILED',
      attempts: 1,
      error:
        'the provider rejected this item with 422: the provider does not deliver to https://invalid.example.com/webhooks/initech',
    });
    const delivered = views.filter((view) => view.id !== rejected);
    for (const view of delivered) {
      expect(view, view.id).toMatchObject({
        status: 'COMPLETED',
        attempts: twice.includes(view.id) ? 2 : 1,
        result: { deliveryId: expect.stringMatching(/^dlv_/), status: 202 },
      });
    }

    // One webhook_deliveries row per delivered item, none for the rejected one.
    const { rows } = await harness.db.query<{
      task_id: string;
      customer_id: string;
      url: string;
      delivery_id: string;
      provider_status: number;
      attempts: number;
    }>('SELECT task_id, customer_id, url, delivery_id, provider_status, attempts FROM webhook_deliveries');
    expect(rows.map((row) => row.task_id).sort()).toEqual(delivered.map((view) => view.id).sort());
    for (const row of rows) {
      const view = delivered.find((each) => each.id === row.task_id)!;
      expect(row, row.task_id).toEqual({
        task_id: row.task_id,
        customer_id: payloadOf.get(row.task_id)?.customerId,
        url: payloadOf.get(row.task_id)?.url,
        delivery_id: (view.result as { deliveryId: string }).deliveryId,
        provider_status: 202,
        attempts: view.attempts,
      });
    }
  });

  test('a worker without WEBHOOKS_PROVIDER_URL stops at start, naming the variable', async ({ harness }) => {
    const { WEBHOOKS_PROVIDER_URL: _, ...env } = harness.env;
    const { code, output } = await finished(await sluice(['worker', '--tasks', 'dist/tasks.js'], env));
    expect(code).toBe(1);
    expect(output).toContain('--tasks: cannot load task types from');
    expect(output).toContain("WEBHOOKS_PROVIDER_URL is not set: the http(s) base URL of the webhook provider's API");
  });
});
