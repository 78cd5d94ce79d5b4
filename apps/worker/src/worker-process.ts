import { ConfigError, loadConfig, untunedService } from '@sluice/config';
import { processTaskTypes, TaskModuleError } from '@sluice/tasks';
import { createLogger } from '@sluice/telemetry';
import { startWorker } from './start-worker.js';

export interface WorkerProcessOptions {
  /** The task module named on the command line (`sluice worker --tasks PATH`), over `SLUICE_TASKS`. */
  readonly tasksPath?: string;
  /**
   * The command that starts this process with the V8 flags it is tuned for, named in the warning
   * a process started without them logs. Default: the stock entry point's (\`SERVICE_COMMANDS.worker\`).
   */
  readonly tunedCommand?: string;
}

/**
 * The worker process, as `node apps/worker/dist/main.js` and `sluice worker` run it: reads the
 * configuration from the environment, loads the task module (`--tasks`, else `SLUICE_TASKS`,
 * else the demo task types), starts the worker, and on SIGTERM or SIGINT flushes its open groups
 * within `SHUTDOWN_GRACE_MS`. A bad setting or task module exits 1 with a message naming it. The
 * process shell, kept apart from {@link startWorker} so that the library never touches signals
 * or exits.
 *
 * @example
 * await runWorkerProcess({ tasksPath: './tasks.mjs' });
 */
export const runWorkerProcess = async (options: WorkerProcessOptions = {}): Promise<void> => {
  try {
    const config = loadConfig();
    const logger = createLogger({
      component: 'worker',
      level: config.log.level,
      format: config.log.format,
      context: { workerId: config.workerId },
    });
    const untuned = untunedService('worker', process.execArgv, config.nodeOptions);
    if (untuned) {
      logger.warn('started without the V8 flags Sluice is tuned and measured with', {
        ...untuned,
        command: options.tunedCommand ?? untuned.command,
      });
    }
    const taskTypes = await processTaskTypes(config, options.tasksPath);
    const worker = await startWorker({
      config,
      taskTypes,
      logger,
      ...(config.faultInjection === 'crash-after-commit'
        ? {
            // Test-only: die between commit and acknowledgement, the one window where a handler re-runs.
            afterCommit: () => {
              logger.warn('FAULT_INJECTION=crash-after-commit: killing this process after its commit');
              process.kill(process.pid, 'SIGKILL');
            },
          }
        : {}),
    });

    let stopping = false;
    const stop = async (signal: string): Promise<void> => {
      if (stopping) {
        logger.warn('second signal: exiting without waiting for open groups', { signal });
        process.exit(1);
      }
      stopping = true;
      logger.info('stopping: flushing open groups', { signal, graceMs: config.shutdownGraceMs });
      const force = setTimeout(() => {
        logger.error('grace period over before open groups committed: exiting', { graceMs: config.shutdownGraceMs });
        process.exit(1);
      }, config.shutdownGraceMs);
      force.unref();
      await worker.close();
      logger.info('stopped');
    };
    process.on('SIGTERM', (signal) => void stop(signal));
    process.on('SIGINT', (signal) => void stop(signal));
  } catch (error) {
    if (error instanceof ConfigError || error instanceof TaskModuleError) console.error(error.message);
    else console.error('worker failed to start:', error);
    process.exit(1);
  }
};
