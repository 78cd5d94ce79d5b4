import { coverageOf, type Coverage, type PartitionRange, type PartitionSettings, type Store } from '@sluice/store';
import { errorMessage, type Logger } from '@sluice/telemetry';

/** What the group processor asks of the partitions: where a task's time falls, and to look again. */
export interface PartitionCoverage {
  /** Where `submittedAt` falls among the `tasks` partitions last read. */
  coverageOf(submittedAt: Date): Coverage;
  /** Reads the partitions again (after a commit found a row with none). */
  refresh(): Promise<void>;
}

/** Keeps the partitions of `tasks` and `batches` from this worker, with every other worker. */
export interface PartitionMaintainer extends PartitionCoverage {
  /**
   * The first run, waiting for another worker's to finish, then one every {@link maintenanceEveryMs}.
   * A first run that fails (the database is away) is logged and the timer tries again: the worker
   * starts all the same.
   */
  start(): Promise<void>;
  /** Stops the timer; a run under way finishes on its own. */
  stop(): void;
}

export interface PartitionMaintainerDeps {
  readonly store: Pick<Store, 'maintainPartitions' | 'partitions'>;
  readonly settings: PartitionSettings;
  readonly logger: Logger;
  /** Default: {@link maintenanceEveryMs} of the settings. */
  readonly everyMs?: number;
}

/**
 * How often each worker runs maintenance: a quarter of the interval, from 5 s to a minute. Every
 * run reads the catalog; only one at a time, under the lock, changes anything, and with
 * partitions two intervals ahead, a few missed runs leave commits untouched.
 */
export const maintenanceEveryMs = (settings: Pick<PartitionSettings, 'intervalSeconds'>): number =>
  Math.min(60_000, Math.max(5_000, (settings.intervalSeconds * 1_000) / 4));

const rangeFields = (range: { readonly from: Date | null; readonly to: Date }) => ({
  from: range.from?.toISOString() ?? 'MINVALUE',
  to: range.to.toISOString(),
});

/**
 * Runs partition maintenance (see `maintainPartitions`) on a timer, logs every partition it
 * creates or drops, and keeps the `tasks` partitions it last saw so the group processor can tell
 * a task whose partition is gone (past TASK_RETENTION) from one it can commit.
 *
 * @example
 * const partitions = createPartitionMaintainer({ store, settings: config.partitions, logger });
 * await partitions.start();
 * partitions.coverageOf(new Date(job.data.submittedAt)); // 'covered'
 */
export const createPartitionMaintainer = (deps: PartitionMaintainerDeps): PartitionMaintainer => {
  const { store, settings, logger } = deps;
  let tasks: ReadonlyArray<PartitionRange> = [];
  let timer: NodeJS.Timeout | undefined;
  // A run that outlasts the period (a slow lock) is not joined by another.
  let busy = false;

  const run = async (wait: boolean): Promise<void> => {
    try {
      const report = await store.maintainPartitions(settings, { wait });
      tasks = report.partitions.tasks;
      for (const change of report.created) {
        logger.info('partition created', { table: change.table, partition: change.name, ...rangeFields(change) });
      }
      for (const change of report.dropped) {
        logger.info('partition dropped', { table: change.table, partition: change.name, ...rangeFields(change) });
      }
    } catch (error) {
      logger.warn('partition maintenance failed; the next run tries again', { error: errorMessage(error) });
    }
  };
  const tick = (): void => {
    if (busy) return;
    busy = true;
    void run(false).finally(() => {
      busy = false;
    });
  };

  return {
    start: async () => {
      await run(true);
      timer ??= setInterval(tick, deps.everyMs ?? maintenanceEveryMs(settings));
      // Maintenance must never be what keeps a finished process alive.
      timer.unref();
    },
    stop: () => {
      clearInterval(timer);
      timer = undefined;
    },
    coverageOf: (submittedAt) => coverageOf(tasks, submittedAt),
    refresh: async () => {
      try {
        tasks = (await store.partitions()).tasks;
      } catch (error) {
        logger.warn('could not read the partitions', { error: errorMessage(error) });
      }
    },
  };
};
