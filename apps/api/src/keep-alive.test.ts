import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { keepConnectionsAlive } from './keep-alive.js';

const REQUEST = 'GET /livez HTTP/1.1\r\nHost: api\r\n\r\n';

/** Holds the event loop, as a GC pause or a busy core holds the api's. */
const holdLoop = (ms: number): void => {
  const until = performance.now() + ms;
  while (performance.now() < until);
};

const answers = (text: string): number => text.match(/HTTP\/1\.1 200 /g)?.length ?? 0;

/** What a raw client reads until it has `wanted` answers, the server closes, or `ms` pass. */
const readAnswers = (socket: Socket, wanted: number, ms: number): Promise<string> =>
  new Promise((resolve) => {
    let text = '';
    const done = (): void => {
      clearTimeout(timer);
      resolve(text);
    };
    const timer = setTimeout(done, ms);
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('latin1');
      if (answers(text) >= wanted) done();
    });
    socket.on('close', done);
    // A reset is how an unread request ends; what counts is what was answered before it.
    socket.on('error', () => undefined);
  });

describe('keepConnectionsAlive', () => {
  let server: Server | undefined;
  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
  });

  it('answers a request that reached the server while the loop was held past the keep-alive timeout', async () => {
    // In one process, the client and the server share the loop: the client sends, then holds the
    // loop across the moment the connection's keep-alive timeout runs out (1 s, or 2 s: Node
    // 20.20 closes 1 s after the announced timeout). When the loop turns, Node runs that timeout
    // before it reads the socket, where the request already waits.
    server = keepConnectionsAlive(
      createServer((_request, response) => response.end('ok')),
      { keepAliveTimeoutMs: 1_000 },
    );
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const socket = connect((server.address() as AddressInfo).port, '127.0.0.1');
    const read = readAnswers(socket, 2, 5_000);
    socket.write(REQUEST);
    await sleep(500);
    // In the check phase, so the loop's next turn begins with its timers.
    await new Promise((resolve) => setImmediate(resolve));
    socket.write(REQUEST);
    holdLoop(2_000);
    const text = await read;
    socket.destroy();
    expect(answers(text)).toBe(2);
  });

  it('closes a connection that stays idle for the keep-alive timeout', async () => {
    server = keepConnectionsAlive(
      createServer((_request, response) => response.end('ok')),
      { keepAliveTimeoutMs: 1_000 },
    );
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const socket = connect((server.address() as AddressInfo).port, '127.0.0.1');
    const started = performance.now();
    const read = readAnswers(socket, 2, 5_000);
    socket.write(REQUEST);
    const text = await read;
    expect(answers(text)).toBe(1);
    expect(text).toMatch(/^Keep-Alive: timeout=1\r$/m);
    expect(performance.now() - started).toBeGreaterThanOrEqual(900);
    expect(performance.now() - started).toBeLessThan(4_000);
  });

  it('sets the headers timeout above the keep-alive timeout, as the advice for a load balancer in front has it', () => {
    server = keepConnectionsAlive(createServer(), { keepAliveTimeoutMs: 65_000 });
    expect(server.keepAliveTimeout).toBe(65_000);
    expect(server.headersTimeout).toBeGreaterThan(65_000);
    expect(server.headersTimeout).toBeLessThanOrEqual(server.requestTimeout);
  });
});
