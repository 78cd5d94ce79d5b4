import { loadWindowMs, type ChaosOptions } from './chaos-options.js';
import { seededRandom } from './seeded-random.js';

/** One fault the run will inject, at `atMs` after the load started. */
export type PlannedFault =
  | {
      readonly kind: 'worker-kill';
      readonly atMs: number;
      /** 0-based index of the worker slot. */
      readonly worker: number;
      /** Time from the SIGKILL to the restart, in ms. */
      readonly restartAfterMs: number;
    }
  | {
      readonly kind: 'redis-restart';
      readonly atMs: number;
      /** Time from the SIGKILL to the start of the new server, in ms. */
      readonly downMs: number;
    }
  | {
      readonly kind: 'pg-outage';
      readonly atMs: number;
      /** Time from the stop (completed) to the start of the server, in ms. */
      readonly downMs: number;
    };

export type FaultKind = PlannedFault['kind'];

export const FAULT_KINDS: ReadonlyArray<FaultKind> = ['worker-kill', 'redis-restart', 'pg-outage'];

export type FaultScheduleInput = Pick<
  ChaosOptions,
  | 'tasks'
  | 'rate'
  | 'workers'
  | 'killEveryMs'
  | 'maxKills'
  | 'restartAfterMs'
  | 'redisRestartAtMs'
  | 'redisDownMs'
  | 'pgOutageAtMs'
  | 'pgOutageMs'
  | 'seed'
>;

/**
 * The faults of a run, in time order: a worker SIGKILL every `killEveryMs` while the load lasts
 * (the victim drawn from the seed), one Redis SIGKILL-and-start, one PostgreSQL stop-and-start.
 * The same options always give the same plan.
 *
 * @example
 * planFaults({ ...options, tasks: 5000, rate: 500, killEveryMs: 5000 }); // one kill at 5 s, …
 */
export const planFaults = (input: FaultScheduleInput): ReadonlyArray<PlannedFault> => {
  const window = loadWindowMs(input);
  const random = seededRandom(input.seed);
  const faults: PlannedFault[] = [];
  if (input.killEveryMs > 0) {
    for (let atMs = input.killEveryMs, n = 0; atMs < window && n < input.maxKills; atMs += input.killEveryMs, n += 1) {
      const worker = Math.min(input.workers - 1, Math.floor(random() * input.workers));
      faults.push({ kind: 'worker-kill', atMs, worker, restartAfterMs: input.restartAfterMs });
    }
  }
  if (input.redisRestartAtMs !== undefined) {
    faults.push({ kind: 'redis-restart', atMs: input.redisRestartAtMs, downMs: input.redisDownMs });
  }
  if (input.pgOutageAtMs !== undefined) {
    faults.push({ kind: 'pg-outage', atMs: input.pgOutageAtMs, downMs: input.pgOutageMs });
  }
  // Stable sort: at equal times the kinds keep the order above.
  return Object.freeze(faults.sort((a, b) => a.atMs - b.atMs));
};

/** How many faults of each kind a plan holds. */
export const countByKind = (
  faults: ReadonlyArray<{ readonly kind: FaultKind }>,
): Readonly<Record<FaultKind, number>> => {
  const counts: Record<FaultKind, number> = { 'worker-kill': 0, 'redis-restart': 0, 'pg-outage': 0 };
  for (const fault of faults) counts[fault.kind] += 1;
  return counts;
};
