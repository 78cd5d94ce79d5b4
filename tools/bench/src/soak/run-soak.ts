/**
 * One soak run, start to verdict: start the stack, drive the steady load while sampling it every
 * 10 s, wait for the drain, read the sampled tasks still within the retention back, scan the
 * logs, judge. Everything it started is stopped before it returns or throws. `main.ts` and the
 * spec both call this.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type ChaosStack, QUEUE_NAME, startChaosStack } from '../chaos/chaos-stack.js';
import { createDrainTracker } from '../chaos/drain-tracker.js';
import { describeMachine } from '../chaos/machine-info.js';
import { createSystemProbe, depthOf, type SystemProbe } from '../chaos/system-probe.js';
import { createBulkLoad } from './bulk-load.js';
import { formatProgress } from './format-soak.js';
import { GROWTH_BOUNDS } from './growth-bounds.js';
import { type CrashSummary, judgeSoak } from './judge-soak.js';
import { createLogWatch } from './log-watch.js';
import { checkRetained } from './retained-check.js';
import { tasksToCheck } from './retained-window.js';
import { SAMPLE_EVERY_MS, type SoakOptions } from './soak-options.js';
import type { SoakResult } from './soak-result.js';
import type { SoakSample } from './soak-sample.js';
import { summarizeSoak } from './soak-summary.js';
import { createStackSampler } from './stack-sampler.js';
import { createTaskSample } from './task-sample.js';

export interface SoakIo {
  /** Progress lines go here. */
  readonly log: (line: string) => void;
  /** The repository root: the api and worker run from its `apps/*\/dist`. */
  readonly root: string;
  /** Aborting (Ctrl-C) ends the load; the stack is still stopped in order. */
  readonly signal: AbortSignal;
  /** See `ChaosStackOptions.onKillSwitch`. */
  readonly onKillSwitch?: (killNow: () => void) => void;
}

/** Requests in flight at most: at 2,000 tasks/s in requests of 100, 32 is 1.6 s of them. */
const MAX_IN_FLIGHT = 32;
const REQUEST_TIMEOUT_MS = 30_000;
/** First ids of requests kept for the retained-task check: ~100 bytes each, so a few MB at most. */
const SAMPLE_CAPACITY = 100_000;
/** Tasks read back at the end, at most: enough to miss nothing systematic, in seconds. */
const MAX_CHECKED = 5_000;
const DRAIN_POLL_MS = 500;
/** The queue must stay empty this long before the drain counts as done. */
const DRAIN_STABLE_MS = 3_000;

/**
 * Runs the soak described by `options` and returns its result; throws only when the run could
 * not be carried out (a server would not start, say) or was interrupted, never for what it found.
 *
 * @example
 * const result = await runSoak(parseSoakArgs(argv, context), { log: console.log, root, signal });
 * console.log(result.verdict, result.failures);
 */
export const runSoak = async (options: SoakOptions, io: SoakIo): Promise<SoakResult> => {
  const startedAt = new Date();
  let origin = performance.now();
  const clock = (): number => performance.now() - origin;
  const crashes: CrashSummary[] = [];
  const logDir = await mkdtemp(join(tmpdir(), 'sluice-soak-'));
  let keepLogs = true;
  let stack: ChaosStack | undefined;
  let probe: SystemProbe | undefined;
  const { intervalSeconds, retentionSeconds } = options.partitions;
  const durationMs = Math.round(options.minutes * 60_000);
  const warmupMs = Math.round(options.warmupMinutes * 60_000);

  try {
    io.log(`starting Redis, PostgreSQL, the api and ${options.workers} workers (logs in ${logDir})`);
    stack = await startChaosStack({
      root: io.root,
      workers: options.workers,
      serviceEnv: options.serviceEnv,
      logDir,
      clock,
      signal: io.signal,
      onUnexpectedExit: (exit) => {
        crashes.push({ service: exit.service, atMs: Math.round(exit.atMs), code: exit.code, signal: exit.signal });
        io.log(`✗ ${exit.service} exited by itself (code ${exit.code}, signal ${exit.signal}); restarting it`);
      },
      ...(io.onKillSwitch ? { onKillSwitch: io.onKillSwitch } : {}),
    });
    probe = await createSystemProbe({
      redisUrl: stack.redisUrl,
      databaseUrl: stack.databaseUrl,
      queueName: QUEUE_NAME,
    });
    const machine = await describeMachine({ root: io.root, redis: probe.redis, db: probe.db });
    const sampler = createStackSampler({ stack, probe, logDir });
    const logs = createLogWatch(
      [stack.api, ...stack.workers].map((service) => ({
        service: service.name,
        file: join(logDir, `${service.name}.log`),
      })),
    );
    const sample = createTaskSample(SAMPLE_CAPACITY);
    const load = createBulkLoad({
      apiUrl: stack.apiUrl,
      rate: options.rate,
      perRequest: options.perRequest,
      durationMs,
      maxInFlight: MAX_IN_FLIGHT,
      requestTimeoutMs: REQUEST_TIMEOUT_MS,
      sample,
    });
    io.log(
      `up in ${(clock() / 1000).toFixed(1)} s; ${options.minutes} min at ${options.rate} tasks/s in requests of ` +
        `${options.perRequest}, judged after a ${options.warmupMinutes} min warm-up; PARTITION_INTERVAL ` +
        `${options.partitionInterval ?? '(the services’ default)'}, TASK_RETENTION ${options.retention ?? '(the services’ default)'}`,
    );

    // ── load and samples ────────────────────────────────────────────────────────────────────
    origin = performance.now();
    const loading = load.run(io.signal);
    const samples: SoakSample[] = [];
    const times = Array.from({ length: Math.floor(durationMs / SAMPLE_EVERY_MS) + 1 }, (_, k) => k * SAMPLE_EVERY_MS);
    if ((times.at(-1) ?? 0) < durationMs) times.push(durationMs);
    for (const atMs of times) {
      const wait = atMs - clock();
      if (wait > 0) await sleep(wait, undefined, { signal: io.signal }).catch(() => undefined);
      if (io.signal.aborted) break;
      const taken = await sampler.sample(atMs, load.accepted());
      samples.push(taken);
      await logs.scan();
      io.log(formatProgress(taken, { errors: load.failed(), logErrors: logs.errors(), crashes: crashes.length }));
    }
    const loaded = await loading;
    const loadMs = Math.min(clock(), durationMs);
    if (io.signal.aborted) throw new Error('the soak run was interrupted');

    // ── drain ──────────────────────────────────────────────────────────────────────────────
    const drainStart = clock();
    const tracker = createDrainTracker({ stableMs: DRAIN_STABLE_MS });
    let drained = false;
    while (!io.signal.aborted && clock() - drainStart < options.drainTimeoutMs) {
      const counts = await probe.queueCounts();
      drained = tracker.observe({
        atMs: clock(),
        depth: counts === undefined ? undefined : depthOf(counts),
        failedSet: counts?.failed,
        committed: counts?.completed,
      });
      if (drained) break;
      await sleep(DRAIN_POLL_MS);
    }
    const drainMs = clock() - drainStart;
    if (io.signal.aborted) throw new Error('the soak run was interrupted');

    // ── every retained task readable ───────────────────────────────────────────────────────
    const selection = tasksToCheck(sample.tasks(), {
      nowMs: Date.now(),
      retentionSeconds,
      intervalSeconds,
      max: MAX_CHECKED,
    });
    io.log(
      `drained in ${(drainMs / 1000).toFixed(1)} s; reading back ${selection.picked.length} of the ${selection.eligible} sampled ` +
        `tasks submitted after ${new Date(selection.since).toISOString()}`,
    );
    const retained = await checkRetained(stack.apiUrl, {
      since: selection.since,
      sampled: sample.tasks().length,
      eligible: selection.eligible,
      picked: selection.picked,
    });
    await logs.scan();

    // ── verdict ────────────────────────────────────────────────────────────────────────────
    const judgement = judgeSoak({
      samples,
      rate: options.rate,
      loadMs,
      warmupMs,
      intervalSeconds,
      retentionSeconds,
      load: loaded,
      crashes,
      logErrors: logs.errors(),
      retained,
      drained,
      drainTimeoutMs: options.drainTimeoutMs,
    });
    keepLogs = options.keepLogs || judgement.verdict !== 'pass';
    return {
      startedAt: startedAt.toISOString(),
      settings: {
        minutes: options.minutes,
        rate: options.rate,
        workers: options.workers,
        warmupMinutes: options.warmupMinutes,
        perRequest: options.perRequest,
        sampleEveryMs: SAMPLE_EVERY_MS,
        partitionInterval: options.partitionInterval,
        retention: options.retention,
        intervalSeconds,
        retentionSeconds,
        serviceEnv: options.serviceEnv,
        bounds: GROWTH_BOUNDS,
      },
      machine,
      samples,
      summary: {
        ...summarizeSoak(samples, { warmupMs, loadMs, acceptedTasks: loaded.acceptedTasks }),
        loadMs: Math.round(loadMs),
        load: loaded,
        growth: judgement.growth,
        crashes,
        logErrors: logs.errors(),
        drained,
        drainMs: Math.round(drainMs),
        retained,
      },
      verdict: judgement.verdict,
      failures: judgement.failures,
      logDir: keepLogs ? logDir : undefined,
    };
  } catch (error) {
    // The logs are kept on this path: say where, so the failure can be looked into.
    throw new Error(`${error instanceof Error ? error.message : String(error)} (service logs: ${logDir})`, {
      cause: error,
    });
  } finally {
    await probe?.close().catch(() => undefined);
    if (stack) {
      io.log('stopping the workers, the api, Redis and PostgreSQL');
      await stack.stop();
    }
    if (!keepLogs) await rm(logDir, { recursive: true, force: true });
  }
};
