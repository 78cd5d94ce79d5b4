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

/** Where the first worker serves /metrics: the worker's own default METRICS_PORT. */
export const FIRST_WORKER_METRICS_PORT = 9464;

/**
 * One metrics port per worker: 9464, 9465, … when free, so the URLs stay the same from run to run;
 * otherwise any free port. Workers on one machine cannot share their default port.
 *
 * @example
 * await workerMetricsPorts(2); // [9464, 9465]
 */
export const workerMetricsPorts = async (
  workers: number,
  first: number = FIRST_WORKER_METRICS_PORT,
): Promise<ReadonlyArray<number>> => {
  const ports: number[] = [];
  for (let index = 0; index < workers; index += 1) {
    let port = await preferredPort(first + index);
    // A free port is only probed, not held: never hand the same one to two workers.
    while (ports.includes(port)) port = await freePort();
    ports.push(port);
  }
  return ports;
};
