import { setMaxListeners } from 'node:events';
import type { ChaosStack } from './chaos-stack.js';
import type { FaultKind, PlannedFault } from './fault-schedule.js';

/** What happened when one planned fault was due. */
export interface FaultRecord {
  readonly kind: FaultKind;
  readonly plannedAtMs: number;
  /** Run clock when the fault began and when the system was whole again, in ms. */
  readonly startedAtMs: number;
  readonly endedAtMs: number;
  /** False when the fault could not be injected; `detail` says why. */
  readonly injected: boolean;
  /** The worker slot (worker kills). */
  readonly target?: string;
  /** The process that was killed (worker kills). */
  readonly pid?: number;
  /** From the server being gone to it accepting connections again, in ms (Redis, PostgreSQL). */
  readonly downMs?: number;
  readonly detail?: string;
}

export interface FaultInjectorDeps {
  readonly stack: Pick<ChaosStack, 'workers' | 'redis' | 'postgres'>;
  /** ms since the load started: the plan's times are on this clock. */
  readonly clock: () => number;
  /** Called as each fault begins and ends, for the console. */
  readonly onNote?: (line: string) => void;
  /** Called the moment a fault has taken effect (the process is dead, the server stopped). */
  readonly onInjected?: (kind: FaultKind) => void;
}

/** Sleeps `ms`, or less when `signal` aborts; never rejects. */
const pause = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal.aborted || ms <= 0) {
      resolve();
      return;
    }
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });

const message = (error: unknown): string =>
  error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);

/**
 * Injects every planned fault at its time, several at once when they overlap (a worker kill
 * during the PostgreSQL outage is part of the test). Resolves with one record per planned fault,
 * in plan order, once every fault is over and its victim back; when `signal` aborts, the faults
 * not begun are recorded as not injected and stopped servers are left to the stack's stop.
 *
 * @example
 * const records = await injectFaults(planFaults(options), { stack, clock }, signal);
 */
export const injectFaults = async (
  plan: ReadonlyArray<PlannedFault>,
  deps: FaultInjectorDeps,
  signal: AbortSignal,
): Promise<ReadonlyArray<FaultRecord>> => {
  const { stack, clock } = deps;
  // Every planned fault waits on the abort at once; a signal of our own keeps that many
  // listeners off the caller's (and Node's leak warning quiet).
  const local = new AbortController();
  setMaxListeners(plan.length + 10, local.signal);
  const stop = (): void => local.abort();
  signal.addEventListener('abort', stop, { once: true });
  if (signal.aborted) local.abort();
  const note = (line: string): void => deps.onNote?.(`+${(clock() / 1000).toFixed(1)}s ${line}`);

  const inject = async (fault: PlannedFault, signal: AbortSignal): Promise<FaultRecord> => {
    await pause(fault.atMs - clock(), signal);
    const startedAtMs = clock();
    const base = { kind: fault.kind, plannedAtMs: fault.atMs, startedAtMs };
    if (signal.aborted) return { ...base, endedAtMs: startedAtMs, injected: false, detail: 'the run stopped first' };
    try {
      switch (fault.kind) {
        case 'worker-kill': {
          const worker = stack.workers[fault.worker];
          if (worker === undefined) throw new Error(`no worker slot ${fault.worker}`);
          const pid = await worker.kill();
          if (pid === undefined) {
            return {
              ...base,
              endedAtMs: clock(),
              injected: false,
              target: worker.name,
              detail: `${worker.name} was not running`,
            };
          }
          deps.onInjected?.(fault.kind);
          note(`SIGKILL ${worker.name} (pid ${pid})`);
          await pause(fault.restartAfterMs, signal);
          if (!signal.aborted) worker.start();
          return { ...base, endedAtMs: clock(), injected: true, target: worker.name, pid };
        }
        case 'redis-restart': {
          await stack.redis.kill();
          const goneAt = clock();
          deps.onInjected?.(fault.kind);
          note('SIGKILL redis-server');
          await pause(fault.downMs, signal);
          if (signal.aborted)
            return { ...base, endedAtMs: clock(), injected: true, detail: 'not started again: the run stopped' };
          await stack.redis.restart();
          const endedAtMs = clock();
          note(`redis-server back after ${((endedAtMs - goneAt) / 1000).toFixed(1)} s (AOF replayed)`);
          return { ...base, endedAtMs, injected: true, downMs: endedAtMs - goneAt };
        }
        case 'pg-outage': {
          note('stopping PostgreSQL');
          await stack.postgres.pause();
          const goneAt = clock();
          deps.onInjected?.(fault.kind);
          note('PostgreSQL stopped');
          await pause(fault.downMs, signal);
          if (signal.aborted)
            return { ...base, endedAtMs: clock(), injected: true, detail: 'not started again: the run stopped' };
          await stack.postgres.start();
          const endedAtMs = clock();
          note(`PostgreSQL back after ${((endedAtMs - goneAt) / 1000).toFixed(1)} s`);
          return { ...base, endedAtMs, injected: true, downMs: endedAtMs - goneAt };
        }
      }
    } catch (error) {
      note(`✗ ${fault.kind} failed: ${message(error)}`);
      return { ...base, endedAtMs: clock(), injected: false, detail: message(error) };
    }
  };

  try {
    return await Promise.all(plan.map((fault) => inject(fault, local.signal)));
  } finally {
    signal.removeEventListener('abort', stop);
  }
};
