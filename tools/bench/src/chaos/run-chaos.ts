/**
 * One chaos run, start to verdict: start the stack, submit the load while the faults are
 * injected, wait for the drain, gather the evidence, reconcile, judge. Everything it started is
 * stopped before it returns or throws. `main.ts` and the test both call this.
 *
 * Times in the report are measured from the start of the load (the fault plan's clock).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadWindowMs, type ChaosOptions } from './chaos-options.js';
import { judge, type ChaosResult, type ServiceCrash } from './chaos-result.js';
import { startChaosStack, QUEUE_NAME, type ChaosStack } from './chaos-stack.js';
import { readCommittedRows, readFailedSet, readJobStates, readSkippedDuplicates } from './collect-evidence.js';
import { createDrainTracker } from './drain-tracker.js';
import { injectFaults, type FaultRecord } from './fault-injector.js';
import { countByKind, planFaults, type FaultKind } from './fault-schedule.js';
import { createLoadClient, type LoadOutcome, type NoAnswerCause } from './load-client.js';
import { describeMachine, readBuildTimes } from './machine-info.js';
import { createProgressLine } from './progress-line.js';
import { reconcile, unresolvedIds, type Reconciliation } from './reconcile.js';
import { createSystemProbe, depthOf, type SystemProbe } from './system-probe.js';

export interface ChaosIo {
  /** Progress and fault notes go here (nothing when `options.quiet`). */
  readonly out: NodeJS.WritableStream & { readonly isTTY?: boolean };
  /** The repository root: the api and worker run from its `apps/*\/dist`. */
  readonly root: string;
  /** Aborting (Ctrl-C) ends the load and the faults early; the stack is still stopped in order. */
  readonly signal: AbortSignal;
  /** See {@link ChaosStackOptions.onKillSwitch}. */
  readonly onKillSwitch?: (killNow: () => void) => void;
}

/** How long the queue must stay empty and the counts still before the drain counts as done, in ms. */
const DRAIN_STABLE_MS = 3_000;
const DRAIN_POLL_MS = 500;
/** Offenders looked up in BullMQ for the report, and kept in the JSON. */
const OFFENDERS_DETAILED = 20;
const OFFENDERS_KEPT = 1_000;

const n = (value: number): string => value.toLocaleString('en-US');

/**
 * Runs the chaos described by `options` and returns its result; throws only when the run could
 * not be carried out (a server would not start, say), never for what it found.
 *
 * @example
 * const result = await runChaos(parseChaosArgs(argv, context), { out: process.stdout, root, signal });
 * console.log(result.verdict, result.counts.lost);
 */
export const runChaos = async (options: ChaosOptions, io: ChaosIo): Promise<ChaosResult> => {
  const startedAt = new Date();
  let origin = performance.now();
  const clock = (): number => performance.now() - origin;
  const progress = createProgressLine(io.out);
  const say = (line: string): void => {
    if (!options.quiet) progress.note(line);
  };
  const crashes: ServiceCrash[] = [];
  const logDir = await mkdtemp(join(tmpdir(), 'sluice-chaos-'));
  let keepLogs = true;
  let stack: ChaosStack | undefined;
  let probe: SystemProbe | undefined;

  try {
    say(`starting Redis, PostgreSQL, the api and ${options.workers} workers (logs in ${logDir})`);
    stack = await startChaosStack({
      root: io.root,
      workers: options.workers,
      serviceEnv: options.serviceEnv,
      logDir,
      clock,
      signal: io.signal,
      onUnexpectedExit: (exit) => {
        crashes.push(exit);
        say(`✗ ${exit.service} exited by itself (code ${exit.code}, signal ${exit.signal}); restarting it`);
      },
      ...(io.onKillSwitch ? { onKillSwitch: io.onKillSwitch } : {}),
    });
    probe = await createSystemProbe({
      redisUrl: stack.redisUrl,
      databaseUrl: stack.databaseUrl,
      queueName: QUEUE_NAME,
    });
    const machine = await describeMachine({ root: io.root, redis: probe.redis, db: probe.db });
    const startupMs = clock();
    const plan = planFaults(options);
    const planned = countByKind(plan);
    say(
      `up in ${(startupMs / 1000).toFixed(1)} s; submitting ${n(options.tasks)} tasks at ${n(options.rate)}/s; ` +
        `faults planned: ${planned['worker-kill']} worker SIGKILLs, ${planned['redis-restart']} Redis restart, ` +
        `${planned['pg-outage']} PostgreSQL outage of ${options.pgOutageMs / 1000} s (seed ${options.seed})`,
    );

    // ── load and faults ─────────────────────────────────────────────────────────────────────
    origin = performance.now();
    const client = createLoadClient({
      apiUrl: stack.apiUrl,
      tasks: options.tasks,
      rate: options.rate,
      perRequest: options.perRequest,
      maxInFlight: options.maxInFlight,
      requestTimeoutMs: options.requestTimeoutMs,
      clock,
    });
    // Re-sends after 503s may run past the window; past the window plus the drain budget, the
    // api is not coming back and the run stops submitting.
    const loadSignal = AbortSignal.any([
      io.signal,
      AbortSignal.timeout(loadWindowMs(options) + options.drainTimeoutMs),
    ]);
    /** Faults begun so far, for the progress line. */
    const injected: FaultKind[] = [];
    let phase = 'load';
    const ticker = startTicker(async () => {
      if (options.quiet) return;
      const [counts, committed] = await Promise.all([probe?.queueCounts(), probe?.committedCount()]);
      const load = client.progress();
      const done = countByKind(injected.map((kind) => ({ kind })));
      progress.update(
        `+${(clock() / 1000).toFixed(0)}s ${phase} · sent ${n(load.sent)}/${n(options.tasks)} · accepted ${n(load.accepted)}` +
          ` · 503 ×${n(load.answers503)}${load.indeterminate > 0 ? ` · no answer ${n(load.indeterminate)}` : ''}` +
          ` · committed ${committed === undefined ? '(pg down)' : n(committed)}` +
          ` · queue ${counts === undefined ? '(redis down)' : `${n(depthOf(counts))} (active ${n(counts.active)}, delayed ${n(counts.delayed)}), failed ${n(counts.failed)}`}` +
          ` · faults: kill ${done['worker-kill']}, redis ${done['redis-restart']}, pg ${done['pg-outage']}`,
      );
    });
    let outcome: LoadOutcome;
    let records: ReadonlyArray<FaultRecord>;
    try {
      [outcome, records] = await Promise.all([
        client.run(loadSignal),
        injectFaults(plan, { stack, clock, onNote: say, onInjected: (kind) => injected.push(kind) }, io.signal),
      ]);

      // ── drain ──────────────────────────────────────────────────────────────────────────────
      phase = 'drain';
      const drainStart = clock();
      const tracker = createDrainTracker({ stableMs: DRAIN_STABLE_MS });
      let drained = false;
      while (!io.signal.aborted && clock() - drainStart < options.drainTimeoutMs) {
        const [counts, committed] = await Promise.all([probe.queueCounts(), probe.committedCount()]);
        drained = tracker.observe({
          atMs: clock(),
          depth: counts === undefined ? undefined : depthOf(counts),
          failedSet: counts?.failed,
          committed,
        });
        if (drained) break;
        await sleep(DRAIN_POLL_MS);
      }
      const drainedAtMs = clock();
      ticker.stop();
      progress.done();
      if (io.signal.aborted) throw new Error('the chaos run was interrupted');

      // ── evidence and verdict ─────────────────────────────────────────────────────────────
      const verdict = await gatherAndReconcile(probe, outcome);
      const counts = verdict.reconciliation.counts;
      const lastAnsweredAtMs = outcome.stats.lastAnsweredAtMs ?? drainStart;
      const firstSentAtMs = outcome.stats.firstSentAtMs ?? 0;
      const drainMs = Math.max(0, drainedAtMs - Math.max(lastAnsweredAtMs, 0));
      const indeterminateByCause: Partial<Record<NoAnswerCause, number>> = {};
      for (const item of outcome.indeterminate)
        indeterminateByCause[item.cause] = (indeterminateByCause[item.cause] ?? 0) + 1;
      const load = {
        ...outcome.stats,
        rejected: outcome.rejected.length,
        unsubmitted: outcome.unsubmitted.length,
        indeterminateByCause,
        rejectedSamples: outcome.rejected.slice(0, 5),
      };
      const builtAtEnd = await readBuildTimes(io.root);
      const rebuiltDuringRun = (['api', 'worker'] as const).filter((app) => builtAtEnd[app] !== machine.builtAt[app]);
      const judged = judge({
        counts,
        load,
        crashes,
        plan,
        records,
        drained,
        pgOutageMs: options.pgOutageMs,
        rebuiltDuringRun,
      });
      keepLogs = options.keepLogs || judged.verdict !== 'pass';
      const { quiet: _quiet, help: _help, keepLogs: _keep, ...settingsOptions } = options;
      return {
        ...judged,
        startedAt: startedAt.toISOString(),
        settings: { options: settingsOptions, plan },
        machine,
        counts,
        load,
        faults: { planned, injected: countByKind(records.filter((record) => record.injected)), records },
        failedReasons: verdict.reconciliation.failedReasons,
        offenders: verdict.reconciliation.offenders.slice(0, OFFENDERS_KEPT),
        crashes,
        redeliveriesSkipped: verdict.redeliveriesSkipped,
        timings: {
          startupMs: Math.round(startupMs),
          loadMs: Math.round(lastAnsweredAtMs - firstSentAtMs),
          drainMs: Math.round(drainMs),
          drained,
          totalMs: Math.round(performance.now() - origin + startupMs),
          tasksPerSecond: counts.committed / Math.max(0.001, (drainedAtMs - firstSentAtMs) / 1000),
        },
        logDir: keepLogs ? logDir : undefined,
      };
    } finally {
      ticker.stop();
      progress.done();
    }
  } catch (error) {
    // The logs are kept on this path: say where, so the failure can be looked into.
    throw new Error(`${error instanceof Error ? error.message : String(error)} (service logs: ${logDir})`, {
      cause: error,
    });
  } finally {
    await probe?.close().catch(() => undefined);
    if (stack) {
      say('stopping the workers, the api, Redis and PostgreSQL');
      await stack.stop();
    }
    if (!keepLogs) await rm(logDir, { recursive: true, force: true });
  }
};

/** Reads rows, the failed set and the states of unsettled jobs, and reconciles them. */
const gatherAndReconcile = async (
  probe: SystemProbe,
  outcome: LoadOutcome,
): Promise<{ readonly reconciliation: Reconciliation; readonly redeliveriesSkipped: number }> => {
  const [rows, failedJobs, redeliveriesSkipped] = await Promise.all([
    readCommittedRows(probe.db),
    readFailedSet(probe.queue),
    readSkippedDuplicates(probe.db),
  ]);
  const { accepted, resent } = outcome;
  const indeterminate = outcome.indeterminate.map((item) => item.ref);
  const jobStates = new Map(await readJobStates(probe.queue, unresolvedIds({ accepted, rows, failedJobs })));
  const first = reconcile({ accepted, indeterminate, rows, failedJobs, jobStates, resent });
  // Look up what BullMQ says of the offenders we will print, then classify again with it: the
  // counts cannot change (only unresolved ids decide pending or lost), the evidence grows.
  const wanted = first.offenders
    .slice(0, OFFENDERS_DETAILED)
    .flatMap((offender) => offender.sightings.map((sighting) => sighting.id))
    .filter((id) => !jobStates.has(id));
  if (wanted.length === 0) return { reconciliation: first, redeliveriesSkipped };
  for (const [id, state] of await readJobStates(probe.queue, [...new Set(wanted)])) jobStates.set(id, state);
  return {
    reconciliation: reconcile({ accepted, indeterminate, rows, failedJobs, jobStates, resent }),
    redeliveriesSkipped,
  };
};

/** Calls `tick` about once a second, never two at a time. */
const startTicker = (tick: () => Promise<void>): { stop(): void } => {
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    tick()
      .catch(() => undefined)
      .finally(() => {
        busy = false;
      });
  }, 1_000);
  return { stop: () => clearInterval(timer) };
};
