/*
 * Stops a worker from taking jobs while PostgreSQL cannot take commits, so handlers do not run
 * again and again for groups that cannot be committed. States:
 *
 *   open ──transient commit failure──▶ closed (worker paused; probing) ──probe answers──▶ open
 *
 * In `closed` the BullMQ worker is paused without waiting for its active jobs, and the database
 * is probed every `probeIntervalMs`; the first answer resumes the worker. A failure reported while
 * already closed changes nothing.
 */
import { errorMessage, type Logger } from '@sluice/telemetry';

export interface CommitGateDeps {
  /** Pauses fetching new jobs (BullMQ `worker.pause(true)`). */
  readonly pause: () => Promise<void>;
  /** Resumes fetching (BullMQ `worker.resume()`). */
  readonly resume: () => void;
  /** Answers when PostgreSQL can be used again (`SELECT 1`). */
  readonly probe: () => Promise<void>;
  readonly logger: Logger;
  /** Pause between probes, in ms (default 1 000). */
  readonly probeIntervalMs?: number;
}

export interface CommitGate {
  /** A commit failed for a transient reason: stop taking jobs until the database answers. */
  reportUnavailable(error: unknown): void;
  readonly state: 'open' | 'closed';
  /** Stops probing (on shutdown); leaves the worker as it is. */
  dispose(): void;
}

export const createCommitGate = (deps: CommitGateDeps): CommitGate => {
  const interval = deps.probeIntervalMs ?? 1_000;
  let state: 'open' | 'closed' = 'open';
  let disposed = false;
  let timer: NodeJS.Timeout | undefined;

  const probeUntilOpen = (): void => {
    timer = setTimeout(() => {
      deps.probe().then(
        () => {
          if (disposed) return;
          if (state !== 'closed') throw new Error(`commit gate: probe answered in state ${state}`);
          state = 'open';
          deps.logger.info('database answers again: taking jobs');
          deps.resume();
        },
        () => {
          if (!disposed) probeUntilOpen();
        },
      );
    }, interval);
    timer.unref();
  };

  return {
    get state() {
      return state;
    },
    reportUnavailable: (error) => {
      if (state === 'closed' || disposed) return;
      state = 'closed';
      deps.logger.warn('database unavailable: pausing until it answers', {
        error: errorMessage(error),
      });
      deps
        .pause()
        .catch((pauseError: unknown) =>
          deps.logger.warn('could not pause the worker', { error: errorMessage(pauseError) }),
        );
      probeUntilOpen();
    },
    dispose: () => {
      disposed = true;
      clearTimeout(timer);
    },
  };
};
