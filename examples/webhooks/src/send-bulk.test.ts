import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { BulkItem } from './bulk-api.js';
import { startFakeProvider } from './fake-provider.js';
import { sendBulk } from './send-bulk.js';

const item = (id: string, url = `https://hooks.example.com/${id}`): BulkItem => ({
  id,
  url,
  event: 'invoice.paid',
  body: { invoice: id },
});
const live = new AbortController().signal;

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

/** A plain HTTP server answering as `listener` does, for what the fake provider never answers. */
const serve = async (listener: RequestListener): Promise<string> => {
  const server = createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
};

describe('sendBulk', () => {
  it("posts the items to the customer's bulk endpoint and gives back the provider's answer", async () => {
    const provider = await startFakeProvider();
    closers.push(provider.close);
    const reply = await sendBulk({
      baseUrl: provider.url,
      customerId: 'acme corp',
      items: [item('t1'), item('t2', 'https://invalid.example.com/hook')],
      signal: live,
    });
    expect(reply).toEqual({
      kind: 'answered',
      answer: {
        results: [
          { id: 't1', status: 202, deliveryId: 'dlv_000001' },
          { id: 't2', status: 422, error: 'the provider does not deliver to https://invalid.example.com/hook' },
        ],
      },
    });
    expect(provider.received()).toMatchObject([{ customerId: 'acme corp', items: [{ id: 't1' }, { id: 't2' }] }]);
  });

  it('is a failed reply with the status when the provider answers the whole request with a 503', async () => {
    const provider = await startFakeProvider({ failRequests: 1 });
    closers.push(provider.close);
    expect(await sendBulk({ baseUrl: provider.url, customerId: 'acme', items: [item('t1')], signal: live })).toEqual({
      kind: 'failed',
      status: 503,
      reason: 'the provider answered 503 to the bulk request: {"error":"the provider is unavailable"}',
    });
  });

  it('is a failed reply without a status when nothing listens', async () => {
    const url = await serve(() => {});
    await closers.pop()?.();
    const reply = await sendBulk({ baseUrl: url, customerId: 'acme', items: [item('t1')], signal: live });
    expect(reply).toMatchObject({
      kind: 'failed',
      reason: expect.stringMatching(/^the bulk request failed: .*ECONNREFUSED/),
    });
    expect(reply).not.toHaveProperty('status');
  });

  it('gives up on a provider that does not answer within timeoutMs', async () => {
    const url = await serve(() => {}); // takes the request, never answers
    const reply = await sendBulk({
      baseUrl: url,
      customerId: 'acme',
      items: [item('t1')],
      signal: live,
      timeoutMs: 100,
    });
    expect(reply).toEqual({ kind: 'failed', reason: 'the provider did not answer within 100 ms' });
  });

  it("stops waiting when the handler's signal aborts (the worker's shutdown grace runs out)", async () => {
    const url = await serve(() => {});
    const shutdown = new AbortController();
    setTimeout(() => shutdown.abort(), 50);
    const reply = await sendBulk({ baseUrl: url, customerId: 'acme', items: [item('t1')], signal: shutdown.signal });
    expect(reply).toEqual({ kind: 'failed', reason: 'the bulk request was aborted: the worker is shutting down' });
  });

  it('is a failed reply without a status when a 200 carries something other than a bulk answer', async () => {
    const url = await serve((_, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end('{"accepted":true}');
    });
    expect(await sendBulk({ baseUrl: url, customerId: 'acme', items: [item('t1')], signal: live })).toEqual({
      kind: 'failed',
      reason: 'the provider answered 200 with a body that is not a bulk answer: {"accepted":true}',
    });
  });
});
