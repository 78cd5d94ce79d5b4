import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type BulkItem, type ItemResult, bulkRequest } from './bulk-api.js';

/*
 * A stand-in for the webhook provider, for the specs and for trying the example by hand. It
 * serves the bulk endpoint of bulk-api.ts, delivers nothing, and decides each item's fate from
 * its url's host (fakeItemResult), so a submitted payload says how it will fare. It records
 * every bulk request, and serves the record at GET /v1/received.
 */

export interface FakeProviderOptions {
  /** The port to listen on; default 0, any free one. */
  readonly port?: number;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Answer this many bulk requests first with a 503 as a whole, taking none of their items. Default 0. */
  readonly failRequests?: number;
  /** Called with each bulk request once it is answered (the standalone provider logs it). */
  readonly onRequest?: (request: ReceivedRequest) => void;
}

/** One bulk request as the provider received and answered it. */
export interface ReceivedRequest {
  /** From the path: `/v1/customers/:customerId/deliveries/bulk`. */
  readonly customerId: string;
  readonly items: ReadonlyArray<BulkItem>;
  /** What the request as a whole was answered: 200, or 503 for one of `failRequests`. */
  readonly status: number;
  /** Each item's result, when the request was answered 200. */
  readonly results: ReadonlyArray<ItemResult>;
}

export interface FakeProvider {
  /** `http://host:port`, the value for WEBHOOKS_PROVIDER_URL. */
  readonly url: string;
  /** Every bulk request so far, in the order received. */
  received(): ReadonlyArray<ReceivedRequest>;
  close(): Promise<void>;
}

/**
 * How the fake provider answers an item, by the first label of its url's host, given how many
 * times it took the item before (requests failed as a whole do not count):
 *
 * | host             | answer                                           |
 * | ---------------- | ------------------------------------------------ |
 * | `flaky.…`        | 503 the first time, then accepted (202)          |
 * | `throttled.…`    | 429 the first time, then accepted (202)          |
 * | `invalid.…`      | 422 every time: a url the provider will not call |
 * | any other        | accepted (202)                                   |
 *
 * @example
 * fakeItemResult({ id: 't1', url: 'https://flaky.example.com/hook', event: 'e', body: null }, 0, 'dlv_1');
 * // { id: 't1', status: 503, error: 'the endpoint is overloaded, try again later' }
 */
export const fakeItemResult = (item: BulkItem, timesTaken: number, deliveryId: string): ItemResult => {
  const host = URL.canParse(item.url) ? new URL(item.url).hostname : '';
  const label = host.split('.')[0];
  if (label === 'invalid') return { id: item.id, status: 422, error: `the provider does not deliver to ${item.url}` };
  if (label === 'flaky' && timesTaken === 0) {
    return { id: item.id, status: 503, error: 'the endpoint is overloaded, try again later' };
  }
  if (label === 'throttled' && timesTaken === 0) {
    return { id: item.id, status: 429, error: "this customer's rate limit is used up, try again later" };
  }
  return { id: item.id, status: 202, deliveryId };
};

const BULK_PATH = /^\/v1\/customers\/([^/]+)\/deliveries\/bulk$/;
const MAX_BODY_BYTES = 1024 * 1024;

const send = (response: ServerResponse, status: number, body: unknown): void => {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
};

/** The body as text, or `undefined` past MAX_BODY_BYTES. */
const readBody = async (request: IncomingMessage): Promise<string | undefined> => {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
};

const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};

/**
 * Starts the fake provider and resolves once it listens.
 *
 * @example
 * const provider = await startFakeProvider();
 * // … WEBHOOKS_PROVIDER_URL=provider.url …
 * expect(provider.received()).toHaveLength(3);
 * await provider.close();
 */
export const startFakeProvider = async (options: FakeProviderOptions = {}): Promise<FakeProvider> => {
  const { port = 0, host = '127.0.0.1', onRequest } = options;
  let failuresLeft = options.failRequests ?? 0;
  const received: ReceivedRequest[] = [];
  /** How many times each item id was taken (in a request answered 200). */
  const taken = new Map<string, number>();
  /** The delivery id of each item accepted: accepting it again answers the same one. */
  const deliveries = new Map<string, string>();

  const record = (request: ReceivedRequest): void => {
    received.push(request);
    onRequest?.(request);
  };

  const bulk = async (request: IncomingMessage, response: ServerResponse, customerId: string): Promise<void> => {
    const text = await readBody(request);
    if (text === undefined) return send(response, 413, { error: `the body is over ${MAX_BODY_BYTES} bytes` });
    const parsed = bulkRequest.safeParse(parseJson(text));
    if (!parsed.success) return send(response, 400, { error: `not a bulk request: ${parsed.error.message}` });
    const { items } = parsed.data;
    if (failuresLeft > 0) {
      failuresLeft -= 1;
      record({ customerId, items, status: 503, results: [] });
      return send(response, 503, { error: 'the provider is unavailable' });
    }
    const results = items.map((item) => {
      const deliveryId = deliveries.get(item.id) ?? `dlv_${String(deliveries.size + 1).padStart(6, '0')}`;
      const result = fakeItemResult(item, taken.get(item.id) ?? 0, deliveryId);
      taken.set(item.id, (taken.get(item.id) ?? 0) + 1);
      if ('deliveryId' in result) deliveries.set(item.id, deliveryId);
      return result;
    });
    record({ customerId, items, status: 200, results });
    send(response, 200, { results });
  };

  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://fake-provider').pathname;
    const bulkMatch = BULK_PATH.exec(path);
    if (request.method === 'POST' && bulkMatch?.[1] !== undefined) {
      bulk(request, response, decodeURIComponent(bulkMatch[1])).catch((error: unknown) =>
        send(response, 500, { error: (error as Error).message }),
      );
    } else if (request.method === 'GET' && path === '/v1/received') {
      send(response, 200, { requests: received });
    } else {
      send(response, 404, { error: `no route ${request.method ?? ''} ${path}` });
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`,
    received: () => [...received],
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error === undefined ? resolve() : reject(error)));
      }),
  };
};
