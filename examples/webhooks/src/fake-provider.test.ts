import { afterEach, describe, expect, it } from 'vitest';
import type { BulkItem } from './bulk-api.js';
import { type FakeProvider, fakeItemResult, startFakeProvider } from './fake-provider.js';

const item = (id: string, url: string): BulkItem => ({ id, url, event: 'invoice.paid', body: null });

describe('fakeItemResult', () => {
  it('refuses flaky and throttled hosts the first time only, and invalid hosts every time', () => {
    const flaky = item('t1', 'https://flaky.example.com/hook');
    const throttled = item('t2', 'https://throttled.example.com/hook');
    const invalid = item('t3', 'https://invalid.example.com/hook');
    expect([0, 1].map((times) => fakeItemResult(flaky, times, 'dlv_1').status)).toEqual([503, 202]);
    expect([0, 1].map((times) => fakeItemResult(throttled, times, 'dlv_1').status)).toEqual([429, 202]);
    expect([0, 1].map((times) => fakeItemResult(invalid, times, 'dlv_1').status)).toEqual([422, 422]);
    expect(fakeItemResult(item('t4', 'https://hooks.example.com/x'), 0, 'dlv_1')).toEqual({
      id: 't4',
      status: 202,
      deliveryId: 'dlv_1',
    });
  });
});

describe('the fake provider', () => {
  let provider: FakeProvider | undefined;
  afterEach(() => provider?.close());

  const post = (path: string, body: unknown) =>
    fetch(`${provider?.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('answers an item it accepted again with the same delivery id, as an idempotency key asks', async () => {
    provider = await startFakeProvider();
    const path = '/v1/customers/acme/deliveries/bulk';
    const items = [item('t1', 'https://hooks.example.com/a'), item('t2', 'https://flaky.example.com/b')];
    const first = await (await post(path, { items })).json();
    const second = await (await post(path, { items })).json();
    expect(first).toEqual({
      results: [
        { id: 't1', status: 202, deliveryId: 'dlv_000001' },
        { id: 't2', status: 503, error: 'the endpoint is overloaded, try again later' },
      ],
    });
    expect(second).toEqual({
      results: [
        { id: 't1', status: 202, deliveryId: 'dlv_000001' },
        { id: 't2', status: 202, deliveryId: 'dlv_000002' },
      ],
    });
  });

  it('refuses a body that is not a bulk request of 1 to 100 items, and does not record it', async () => {
    provider = await startFakeProvider();
    const path = '/v1/customers/acme/deliveries/bulk';
    expect((await post(path, { items: [] })).status).toBe(400);
    const tooMany = Array.from({ length: 101 }, (_, n) => item(`t${n}`, 'https://hooks.example.com/'));
    expect((await post(path, { items: tooMany })).status).toBe(400);
    expect((await post('/v1/customers/acme/other', { items: [] })).status).toBe(404);
    expect(provider.received()).toEqual([]);
  });

  it('serves what it received at GET /v1/received', async () => {
    provider = await startFakeProvider({ failRequests: 1 });
    const items = [item('t1', 'https://hooks.example.com/a')];
    await post('/v1/customers/acme/deliveries/bulk', { items });
    await post('/v1/customers/acme/deliveries/bulk', { items });
    const { requests } = (await (await fetch(`${provider.url}/v1/received`)).json()) as { requests: unknown[] };
    expect(requests).toEqual([
      { customerId: 'acme', items, status: 503, results: [] },
      { customerId: 'acme', items, status: 200, results: [{ id: 't1', status: 202, deliveryId: 'dlv_000001' }] },
    ]);
    expect(requests).toEqual(provider.received());
  });
});
