import type { ChaosOptions } from './chaos-options.js';
import type { FaultRecord } from './fault-injector.js';
import { countByKind, FAULT_KINDS, type FaultKind, type PlannedFault } from './fault-schedule.js';
import type { LoadStats, NoAnswerCause } from './load-client.js';
import type { MachineInfo } from './machine-info.js';
import type { UnexpectedExit } from './node-service.js';
import type { Offender, ReconcileCounts } from './reconcile.js';

/**
 * pass: every accepted task ended exactly once. fail: a task was lost, duplicated or unexpected
 * (exit 1). invalid: the run did not do what it set out to (a fault not injected, the queue not
 * drained, tasks not submitted), so its figures prove nothing either way (exit 2).
 */
export type Verdict = 'pass' | 'fail' | 'invalid';

export type ServiceCrash = UnexpectedExit;

export interface LoadFigures extends LoadStats {
  readonly rejected: number;
  readonly unsubmitted: number;
  readonly indeterminateByCause: Readonly<Partial<Record<NoAnswerCause, number>>>;
  /** A few of the rejections, with the api's answer. */
  readonly rejectedSamples: ReadonlyArray<{ readonly ref: string; readonly status: number; readonly detail: string }>;
}

export interface Timings {
  /** Servers, schema, api and workers up, in ms. */
  readonly startupMs: number;
  /** First request to last answer, in ms. */
  readonly loadMs: number;
  /** Last answer to a drained queue (or to giving up), in ms. */
  readonly drainMs: number;
  readonly drained: boolean;
  readonly totalMs: number;
  /** Committed tasks per second, from the first request to the drain. */
  readonly tasksPerSecond: number;
}

export interface ChaosResult {
  readonly verdict: Verdict;
  /** What made the verdict fail or invalid, one sentence each. */
  readonly problems: ReadonlyArray<string>;
  /** Things a reader should know that do not change the verdict (tasks in the failed set, crashes). */
  readonly warnings: ReadonlyArray<string>;
  readonly startedAt: string;
  readonly settings: {
    readonly options: Omit<ChaosOptions, 'quiet' | 'help' | 'keepLogs'>;
    readonly plan: ReadonlyArray<PlannedFault>;
  };
  readonly machine: MachineInfo | undefined;
  readonly counts: ReconcileCounts;
  readonly load: LoadFigures;
  readonly faults: {
    readonly planned: Readonly<Record<FaultKind, number>>;
    readonly injected: Readonly<Record<FaultKind, number>>;
    readonly records: ReadonlyArray<FaultRecord>;
  };
  readonly failedReasons: ReadonlyArray<{ readonly reason: string; readonly count: number }>;
  readonly offenders: ReadonlyArray<Offender>;
  readonly crashes: ReadonlyArray<ServiceCrash>;
  /** Rows the group writes skipped as already committed (`batches.duplicates`): redeliveries that ON CONFLICT absorbed. */
  readonly redeliveriesSkipped: number;
  readonly timings: Timings;
  /** Where the services' logs are, when they were kept. */
  readonly logDir: string | undefined;
}

export type JudgeInput = Pick<ChaosResult, 'counts' | 'load' | 'crashes'> & {
  readonly plan: ReadonlyArray<PlannedFault>;
  readonly records: ReadonlyArray<FaultRecord>;
  readonly drained: boolean;
  readonly pgOutageMs: number;
  /** Apps whose `dist/` changed while the run went on. */
  readonly rebuiltDuringRun: ReadonlyArray<string>;
};

const plural = (n: number, one: string, many = `${one}s`): string =>
  `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;

/**
 * The verdict of a run and the sentences behind it.
 *
 * @example
 * const { verdict, problems } = judge({ counts, load, crashes, plan, records, drained: true, pgOutageMs: 12_000 });
 */
export const judge = (input: JudgeInput): Pick<ChaosResult, 'verdict' | 'problems' | 'warnings'> => {
  const { counts, load } = input;
  const broken: string[] = [];
  if (counts.lost > 0) broken.push(`${plural(counts.lost, 'accepted task')} lost: no row, not in the failed set`);
  if (counts.duplicated > 0) broken.push(`${plural(counts.duplicated, 'duplicate outcome')}`);
  if (counts.unexpected > 0) broken.push(`${plural(counts.unexpected, 'unexpected task')} (never answered 202)`);

  const invalid: string[] = [];
  const planned = countByKind(input.plan);
  const injected = countByKind(input.records.filter((record) => record.injected));
  for (const kind of FAULT_KINDS) {
    if (injected[kind] < planned[kind])
      invalid.push(`only ${injected[kind]} of ${planned[kind]} planned ${kind} faults were injected`);
  }
  const shortOutage = input.records.find(
    (record) => record.kind === 'pg-outage' && record.injected && (record.downMs ?? 0) < input.pgOutageMs,
  );
  if (shortOutage)
    invalid.push(`PostgreSQL was down ${shortOutage.downMs} ms, less than the ${input.pgOutageMs} ms asked for`);
  if (!input.drained)
    invalid.push(`the queue did not drain before the deadline (${plural(counts.pending, 'task')} still pending)`);
  if (load.unsubmitted > 0)
    invalid.push(`${plural(load.unsubmitted, 'task')} could not be submitted before the run stopped`);
  if (load.rejected > 0)
    invalid.push(`${plural(load.rejected, 'task')} rejected by the api with a status other than 202/503`);
  if (load.malformedAccepts > 0) invalid.push(`${plural(load.malformedAccepts, '202 answer')} without one id per task`);

  const warnings: string[] = [];
  if (counts.failed > 0)
    warnings.push(
      `${plural(counts.failed, 'accepted task')} ended in BullMQ's failed set without a row (reasons below)`,
    );
  if (counts.committedFailed > 0) warnings.push(`${plural(counts.committedFailed, 'task')} committed as FAILED`);
  for (const crash of input.crashes) {
    warnings.push(
      `${crash.service} exited by itself at +${(crash.atMs / 1000).toFixed(1)}s (code ${crash.code}, signal ${crash.signal})`,
    );
  }
  for (const app of input.rebuiltDuringRun) {
    warnings.push(
      `apps/${app}/dist was rebuilt during the run: processes started later ran other code than the first ones`,
    );
  }
  if (counts.indeterminate > 0) warnings.push(`${plural(counts.indeterminate, 'task')} got no answer (indeterminate)`);

  const verdict: Verdict = broken.length > 0 ? 'fail' : invalid.length > 0 ? 'invalid' : 'pass';
  return { verdict, problems: [...broken, ...invalid], warnings };
};

/** The process exit status of a verdict. */
export const exitCodeOf = (verdict: Verdict): number => ({ pass: 0, fail: 1, invalid: 2 })[verdict];
