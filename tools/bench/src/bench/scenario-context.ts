import type { ProgressLine } from '../chaos/progress-line.js';
import { DEFAULT_SERVICE_ENV, type AppContext } from './bench-apps.js';
import type { BenchOptions } from './bench-options.js';
import type { BenchServers } from './bench-servers.js';
import type { NodeChild } from './node-child.js';

/** What every scenario is given. */
export interface ScenarioContext {
  readonly options: BenchOptions;
  readonly servers: BenchServers;
  /** The repository root. */
  readonly root: string;
  readonly progress: ProgressLine;
  /** Aborted on Ctrl-C: a scenario stops between steps and stops what it started. */
  readonly signal: AbortSignal;
  /** Every child process running now, for a last-resort kill. */
  readonly started: Set<NodeChild>;
}

/**
 * The settings of a scenario's api and workers: the defaults, then the scenario's own (such as
 * `DEMO_WORK_MS=0` where only throughput counts), then the `--env` flags, which win.
 *
 * @example
 * const apps = appContextOf(context, { DEMO_WORK_MS: '0' });
 */
export const appContextOf = (
  context: ScenarioContext,
  scenarioEnv: Readonly<Record<string, string>> = {},
): AppContext => ({
  root: context.root,
  redisUrl: context.servers.redisUrl,
  databaseUrl: context.servers.databaseUrl,
  env: { ...DEFAULT_SERVICE_ENV, ...scenarioEnv, ...context.options.serviceEnv },
  cpuProfDir: context.options.cpuProfDir,
  started: context.started,
});

/** Throws when the run was interrupted, so a scenario stops between its steps. */
export const checkAborted = (signal: AbortSignal): void => {
  if (signal.aborted) throw new Error('interrupted');
};
