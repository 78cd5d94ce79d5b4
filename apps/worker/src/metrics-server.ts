import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basicChallenge, basicCredentialsMatch, type BasicCredentials, type Registry } from '@sluice/telemetry';

/** Where a worker serves its metrics unless told otherwise: what deploy/prometheus.yml scrapes. */
export const DEFAULT_METRICS_PORT = 9464;

export interface MetricsServerOptions {
  /** The worker's registry: everything on it is served at `/metrics`. */
  readonly registry: Registry;
  /** TCP port; 0 picks a free one, read it back from `port`. */
  readonly port: number;
  /**
   * When `port` is taken, listen on any free port instead of failing (default false). For the
   * default port: a second worker on one host must still start, while a port someone chose and
   * cannot have is an error.
   */
  readonly orAnyFreePort?: boolean;
  /**
   * Address to listen on. Default: every interface, since Prometheus scrapes from another host or
   * container.
   */
  readonly host?: string;
  /** Told when collecting the metrics fails (the scrape gets a 500). */
  readonly onError?: (error: unknown) => void;
  /**
   * Basic credentials `/metrics` requires (`METRICS_USERNAME`/`METRICS_PASSWORD`, the same pair
   * as the api's); default: open. `/livez` stays open for the container healthcheck.
   */
  readonly auth?: BasicCredentials;
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
 * counts only the tasks it ran.
 *
 * @example
 * const server = await startMetricsServer({ registry: metrics.registry, port: 9464, orAnyFreePort: true });
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
    if (options.auth !== undefined && !basicCredentialsMatch(request.headers.authorization, options.auth)) {
      response.setHeader('www-authenticate', basicChallenge('Sluice metrics'));
      send(
        response,
        401,
        'text/plain; charset=utf-8',
        'The metrics need a user name and password (HTTP basic authentication).\n',
      );
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
  const listen = (port: number): Promise<void> =>
    new Promise((resolve, reject) => {
      // Both listeners come off again, so that a later server error is not taken for this one.
      const onError = (error: Error): void => {
        server.off('listening', onListening);
        reject(error);
      };
      const onListening = (): void => {
        server.off('error', onError);
        resolve();
      };
      server.once('error', onError);
      server.once('listening', onListening);
      server.listen(port, options.host);
    });
  try {
    await listen(options.port).catch(async (error: unknown) => {
      if (options.orAnyFreePort === true && (error as { code?: unknown }).code === 'EADDRINUSE') return listen(0);
      throw error;
    });
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw new Error(
      code === 'EADDRINUSE'
        ? `METRICS_PORT ${options.port} is already in use: give each worker on this host its own port (0 picks a free one)`
        : `the metrics server could not listen on port ${options.port}: ${(error as Error).message}`,
      { cause: error },
    );
  }
  // Listening, the server has nothing left to fail on but its sockets: report, never crash.
  server.on('error', (error) => options.onError?.(error));
  return {
    port: (server.address() as AddressInfo).port,
    close: async () => {
      // A scraper's keep-alive connection would otherwise hold close() open.
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
};
