import { once } from 'node:events';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from '@sluice/telemetry';

export interface MetricsServerOptions {
  /** The worker's registry: everything on it is served at `/metrics`. */
  readonly registry: Registry;
  /** TCP port (`METRICS_PORT`, default 9464); 0 picks a free one, read it back from `port`. */
  readonly port: number;
  /**
   * Address to listen on. Default: every interface, since Prometheus scrapes from another host or
   * container.
   */
  readonly host?: string;
  /** Told when collecting the metrics fails (the scrape gets a 500). */
  readonly onError?: (error: unknown) => void;
}

export interface MetricsServer {
  /** The port it listens on (the chosen one when asked for 0). */
  readonly port: number;
  close(): Promise<void>;
}

const send = (response: ServerResponse, status: number, type: string, body: string): void => {
  response.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
  response.end(body);
};

/**
 * A worker's own small HTTP server: `GET /metrics` (Prometheus text format) and `GET /livez`.
 * Workers have no api of their own, and every replica must be scraped on its own, since each
 * counts only the groups it ran.
 *
 * @example
 * const server = await startMetricsServer({ registry: metrics.registry, port: config.metricsPort });
 * logger.info('metrics server listening', { port: server.port });
 * await server.close();
 */
export const startMetricsServer = async (options: MetricsServerOptions): Promise<MetricsServer> => {
  const { registry } = options;
  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?', 1)[0];
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.setHeader('allow', 'GET, HEAD');
      send(response, 405, 'text/plain; charset=utf-8', 'Method not allowed\n');
      return;
    }
    if (path === '/livez') {
      send(response, 200, 'application/json; charset=utf-8', '{"status":"UP"}');
      return;
    }
    if (path !== '/metrics') {
      send(response, 404, 'text/plain; charset=utf-8', 'Served here: /metrics and /livez\n');
      return;
    }
    registry.metrics().then(
      (text) => send(response, 200, registry.contentType, text),
      (error: unknown) => {
        options.onError?.(error);
        send(response, 500, 'text/plain; charset=utf-8', 'Collecting the metrics failed; the error is logged.\n');
      },
    );
  });
  server.listen(options.port, options.host);
  try {
    await Promise.race([
      once(server, 'listening'),
      once(server, 'error').then(([error]: unknown[]) => {
        throw error;
      }),
    ]);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw new Error(
      code === 'EADDRINUSE'
        ? `METRICS_PORT ${options.port} is already in use: give each worker on this host its own port (0 picks a free one)`
        : `the metrics server could not listen on port ${options.port}: ${(error as Error).message}`,
      { cause: error },
    );
  }
  return {
    port: (server.address() as AddressInfo).port,
    close: async () => {
      // A scraper's keep-alive connection would otherwise hold close() open.
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
};
