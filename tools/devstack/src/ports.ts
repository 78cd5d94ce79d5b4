import { createServer } from 'node:net';
import { freePort } from '@sluice/testkit/servers';

/**
 * Whether nothing listens on `port`. Binding 127.0.0.1 also fails when another process holds the
 * port on every address (0.0.0.0 or ::), which is how the api and most servers listen.
 */
export const isPortFree = (port: number, host = '127.0.0.1'): Promise<boolean> =>
  new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });

/**
 * `preferred` when it is free, so the local services keep one address from run to run (handy
 * for redis-cli and psql); any free port otherwise.
 */
export const preferredPort = async (preferred: number): Promise<number> =>
  (await isPortFree(preferred)) ? preferred : freePort();
