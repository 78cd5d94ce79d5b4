import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exited, tailOf } from './child-process.js';
import { freePort } from './free-port.js';

/** One scrape job: its `job` label and the `host:port` targets whose `/metrics` it reads. */
export interface ScrapeJob {
  readonly name: string;
  readonly targets: ReadonlyArray<string>;
}

export interface PrometheusServerOptions {
  readonly jobs: ReadonlyArray<ScrapeJob>;
  /** How often every target is scraped, in seconds (default 1: tests wait for a few scrapes). */
  readonly scrapeIntervalSeconds?: number;
  /** The `prometheus` binary. Default: found on PATH. */
  readonly binary?: string;
}

/** One series of an instant query's answer. */
export interface PrometheusSample {
  readonly metric: Readonly<Record<string, string>>;
  /** [unix seconds, value as Prometheus prints it: a number, `NaN` or `+Inf`]. */
  readonly value: readonly [number, string];
}

/** A prometheus child process that this process owns, with a throwaway TSDB. */
export interface PrometheusServer {
  readonly url: string;
  /** Runs an instant query; rejects with Prometheus's own message when the query is refused. */
  query(expr: string): Promise<ReadonlyArray<PrometheusSample>>;
  /** Stops it and removes its TSDB and configuration. */
  stop(): Promise<void>;
}

export const PROMETHEUS_INSTALL_HINT =
  'prometheus was not found on PATH. Install it (Debian/Ubuntu: `sudo apt-get install -y prometheus`, ' +
  'which brings promtool too; `.ci/run` does this in CI).';

/** A guard against hanging, not a speed check: a cold start on a busy machine takes seconds. */
const READY_TIMEOUT_MS = 60_000;

/** Prometheus's HTTP API envelope. */
interface ApiAnswer {
  readonly status: 'success' | 'error';
  readonly error?: string;
  readonly data?: { readonly resultType: string; readonly result: ReadonlyArray<PrometheusSample> };
}

/**
 * Starts Prometheus on a free loopback port, scraping `jobs`, and resolves once it is ready.
 * Configuration and TSDB live in a temporary folder.
 *
 * @example
 * const prometheus = await startPrometheusServer({ jobs: [{ name: 'sluice-api', targets: ['127.0.0.1:8038'] }] });
 * const up = await prometheus.query('up');
 * await prometheus.stop();
 */
export const startPrometheusServer = async (options: PrometheusServerOptions): Promise<PrometheusServer> => {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-prometheus-'));
  const interval = `${options.scrapeIntervalSeconds ?? 1}s`;
  // JSON is YAML too: no YAML writer needed.
  const config = {
    global: { scrape_interval: interval, scrape_timeout: interval, evaluation_interval: interval },
    scrape_configs: options.jobs.map((job) => ({
      job_name: job.name,
      metrics_path: '/metrics',
      static_configs: [{ targets: [...job.targets] }],
    })),
  };
  const configFile = join(dir, 'prometheus.yml');
  await writeFile(configFile, JSON.stringify(config, null, 2));
  const port = await freePort();
  const child: ChildProcess = spawn(
    options.binary ?? 'prometheus',
    [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const describe = tailOf(child);
  const url = `http://127.0.0.1:${port}`;
  const died = new Promise<never>((_, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) =>
      reject(new Error(`prometheus exited (code ${code}, signal ${signal}) before it was ready:\n${describe()}`)),
    );
  });
  died.catch(() => undefined);
  const ready = async (): Promise<void> => {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    for (;;) {
      const ok = await fetch(`${url}/-/ready`).then(
        (response) => response.ok,
        () => false,
      );
      if (ok) return;
      if (Date.now() > deadline) throw new Error(`prometheus not ready after ${READY_TIMEOUT_MS} ms:\n${describe()}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  try {
    await Promise.race([ready(), died]);
  } catch (error) {
    child.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(PROMETHEUS_INSTALL_HINT);
    throw error;
  }
  return {
    url,
    query: async (expr) => {
      const response = await fetch(`${url}/api/v1/query`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ query: expr }),
      });
      const answer = (await response.json()) as ApiAnswer;
      if (answer.status !== 'success' || !answer.data) {
        throw new Error(`Prometheus refused ${JSON.stringify(expr)}: ${answer.error ?? response.statusText}`);
      }
      return answer.data.result;
    },
    stop: async () => {
      child.kill('SIGTERM');
      await exited(child);
      await rm(dir, { recursive: true, force: true });
    },
  };
};
