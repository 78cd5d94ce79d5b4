import { relative } from 'node:path';
import type { LogStream } from './log-stream.js';
import type { ServiceInfo } from './services.js';

export interface BannerOptions {
  readonly port: number;
  readonly workers: number;
  /** Where each worker serves its own /metrics, in worker order. */
  readonly metricsPorts?: ReadonlyArray<number>;
  readonly services: ReadonlyArray<ServiceInfo>;
  /** Paths are shown relative to it (`.sluice/redis`). */
  readonly root: string;
  readonly log: LogStream;
  /** The task module the stack runs (`SLUICE_TASKS`); unset, the demo task types run. */
  readonly tasksModule?: string;
}

/** The user's own URLs may carry a password; the banner shows where, never the secret. */
const withoutPassword = (url: string): string => {
  try {
    const parsed = new URL(url);
    if (parsed.password === '') return url;
    parsed.password = '***';
    return parsed.toString();
  } catch {
    return url;
  }
};

/**
 * The few lines printed once the api is healthy: where everything is and what to do next.
 *
 * @example
 * process.stdout.write(formatBanner({ port: 8038, workers: 2, services, root, log }));
 */
export const formatBanner = (options: BannerOptions): string => {
  const { port, workers, metricsPorts = [], services, root, log, tasksModule } = options;
  const base = `http://localhost:${port}`;
  const rows: ReadonlyArray<readonly [string, string]> = [
    ['dashboard', `${base}/`],
    ['Bull Board', `${base}/admin/queues`],
    ['API', `${base}/api/tasks`],
    ['metrics', `${base}/metrics`],
    ...metricsPorts.map((metricsPort, index): readonly [string, string] => [
      `worker-${index + 1}`,
      `http://localhost:${metricsPort}/metrics`,
    ]),
    ['health', `${base}/actuator/health`],
    ...services.map((service): readonly [string, string] => [
      service.name === 'redis' ? 'Redis' : 'PostgreSQL',
      service.dataDir === undefined
        ? `${withoutPassword(service.url)} (yours)`
        : `${service.url}  data in ${displayPath(root, service.dataDir)}`,
    ]),
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  const lines = [
    '',
    log.paint(`  Sluice is running: api + ${workers} worker${workers === 1 ? '' : 's'}`, 'bold'),
    '',
    ...rows.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`),
    '',
    // `npm run demo` sends the demo's EMAIL, SMS and PUSH, which a task module of one's own lacks.
    tasksModule === undefined
      ? `  Try it:  ${log.paint('npm run demo', 'bold')}   (in another terminal)`
      : `  Tasks:   ${tasksModule} (SLUICE_TASKS): POST them to ${base}/api/tasks`,
    `  Stop:    Ctrl-C   (flushes open groups, then stops PostgreSQL and Redis)`,
    '',
  ];
  return `${lines.join('\n')}\n`;
};

const displayPath = (root: string, path: string): string => {
  const inside = relative(root, path);
  return inside.startsWith('..') ? path : `${inside}/`;
};
