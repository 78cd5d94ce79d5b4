import { ConfigError, loadConfig, untunedService } from '@sluice/config';
import { processTaskTypes, TaskModuleError } from '@sluice/tasks';
import { createLogger } from '@sluice/telemetry';
import { startApi } from './start-api.js';

export interface ApiProcessOptions {
  /** The task module named on the command line (`sluice api --tasks PATH`), over `SLUICE_TASKS`. */
  readonly tasksPath?: string;
  /**
   * The command that starts this process with the V8 flags it is tuned for, named in the warning
   * a process started without them logs. Default: the stock entry point's (\`SERVICE_COMMANDS.api\`).
   */
  readonly tunedCommand?: string;
}

/**
 * The api process, as `node apps/api/dist/main.js` and `sluice api` run it: reads the
 * configuration from the environment, loads the task module (`--tasks`, else `SLUICE_TASKS`,
 * else the demo task types), starts the api, and on SIGTERM or SIGINT stops it within
 * `SHUTDOWN_GRACE_MS`. A bad setting or task module exits 1 with a message naming it. The process
 * shell, kept apart from {@link startApi} so that the library never touches signals or exits.
 *
 * @example
 * await runApiProcess({ tasksPath: './tasks.mjs' });
 */
export const runApiProcess = async (options: ApiProcessOptions = {}): Promise<void> => {
  try {
    const config = loadConfig();
    const logger = createLogger({ component: 'api', level: config.log.level, format: config.log.format });
    const untuned = untunedService('api', process.execArgv, config.nodeOptions);
    if (untuned) {
      logger.warn('started without the V8 flags Sluice is tuned and measured with', {
        ...untuned,
        command: options.tunedCommand ?? untuned.command,
      });
    }
    const taskTypes = await processTaskTypes(config, options.tasksPath);
    const api = await startApi({ config, taskTypes, logger });

    let stopping = false;
    const stop = async (signal: string): Promise<void> => {
      if (stopping) {
        logger.warn('second signal: exiting now', { signal });
        process.exit(1);
      }
      stopping = true;
      logger.info('stopping', { signal });
      const force = setTimeout(() => {
        logger.error('grace period over: exiting', { graceMs: config.shutdownGraceMs });
        process.exit(1);
      }, config.shutdownGraceMs);
      force.unref();
      await api.close();
      logger.info('stopped');
    };
    process.on('SIGTERM', (signal) => void stop(signal));
    process.on('SIGINT', (signal) => void stop(signal));
  } catch (error) {
    if (error instanceof ConfigError || error instanceof TaskModuleError) console.error(error.message);
    else console.error('api failed to start:', error);
    process.exit(1);
  }
};
