import { createServer, connect, type Socket } from 'node:net';
import { once } from 'node:events';

/** A TCP forwarder between a client and a server whose path can be cut without either side hearing of it. */
export interface TcpProxy {
  /** The local port clients connect to (on 127.0.0.1). */
  readonly port: number;
  /**
   * From now on, bytes in either direction are dropped and no socket is closed: what a
   * connection looks like when the network between its ends dies without a FIN or an RST
   * (a host gone, a cable pulled, a NAT entry expired). Both ends wait for each other forever.
   */
  cut(): void;
  /** Forwards again. Bytes dropped meanwhile stay lost, as on a real network. */
  mend(): void;
  /** Closes the listener and every socket it forwarded. */
  close(): Promise<void>;
}

/**
 * Starts a proxy on 127.0.0.1 that forwards every connection to `target`.
 *
 * @example
 * const proxy = await startTcpProxy({ host: '127.0.0.1', port: 5432 });
 * proxy.cut(); // a statement sent now gets no answer, and no error either
 */
export const startTcpProxy = async (target: { readonly host: string; readonly port: number }): Promise<TcpProxy> => {
  let cut = false;
  const sockets = new Set<Socket>();
  const track = (socket: Socket): void => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    // A reset from either end is reported to the other by destroying it, below; not a test failure.
    socket.on('error', () => undefined);
  };
  const forward = (from: Socket, to: Socket): void => {
    from.on('data', (chunk) => {
      if (!cut) to.write(chunk);
    });
    // While cut, an end closing its socket is not heard by the other one either.
    from.on('close', () => {
      if (!cut) to.destroy();
    });
  };
  const server = createServer((client) => {
    const upstream = connect(target.port, target.host);
    track(client);
    track(upstream);
    forward(client, upstream);
    forward(upstream, client);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the proxy has no TCP port');
  return {
    port: address.port,
    cut: () => {
      cut = true;
    },
    mend: () => {
      cut = false;
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      server.close();
      await once(server, 'close');
    },
  };
};
