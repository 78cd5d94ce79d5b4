import type { Server } from 'node:http';
import type { Socket } from 'node:net';

export interface KeepAliveOptions {
  /**
   * How long an idle keep-alive connection stays open, in ms (`HTTP_KEEP_ALIVE_TIMEOUT_MS`,
   * default 65,000); the server announces it as `Keep-Alive: timeout=<seconds>` (Node 20.20
   * closes one second after that). Above the idle timeout of whatever sits in front (60 s on AWS
   * ALB and most proxies), so that side closes first: a request sent on a connection the api is
   * closing gets no answer.
   */
  readonly keepAliveTimeoutMs: number;
}

/**
 * The headers timeout goes this far above the keep-alive timeout, as Node's docs and every
 * recipe for a load balancer in front ask: until Node 18 the headers timer of a kept-alive
 * connection ran from the end of the previous response, so a lower one cut idle connections
 * short. Node 20 times headers from a request's first byte, where 66 s still bounds a slow sender.
 */
const HEADERS_MARGIN_MS = 1_000;

/**
 * Sets an http server's keep-alive and header timeouts for a load balancer in front, and makes
 * it read before it closes: when a connection's keep-alive timeout runs out, the server closes it
 * only after the loop has read what was already sent on it. Node closes at once, and its loop
 * runs due timers before it reads sockets, so a request that reached an api busy at that moment
 * (a GC pause, a busy core) was dropped unread: the client saw ECONNRESET and no answer (issue
 * 13). A request sent after the close began still races it; only a client that closes idle
 * connections first (a load balancer under this timeout, a Node agent with a `timeout`) avoids it.
 *
 * @example
 * const server = app.listen(config.port);
 * keepConnectionsAlive(server, { keepAliveTimeoutMs: config.httpKeepAliveTimeoutMs });
 */
export const keepConnectionsAlive = (server: Server, options: KeepAliveOptions): Server => {
  server.keepAliveTimeout = options.keepAliveTimeoutMs;
  server.headersTimeout = options.keepAliveTimeoutMs + HEADERS_MARGIN_MS;
  // With a 'timeout' listener Node leaves the socket to us. server.timeout is 0, so the only
  // socket timeout is the keep-alive one (a request's own limits are headersTimeout and
  // requestTimeout, which do not go through here).
  server.on('timeout', (socket: Socket) => {
    const bytesRead = socket.bytesRead;
    // setImmediate runs after the loop's poll phase: anything already sent has been read by then,
    // and a request read means the connection is in use again; its answer re-arms the timeout.
    setImmediate(() => {
      if (socket.bytesRead === bytesRead) socket.destroy();
    });
  });
  return server;
};
