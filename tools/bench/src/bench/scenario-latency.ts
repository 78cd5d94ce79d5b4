/**
 * Scenario 3, latency: a steady stream of single tasks over `POST /api/tasks` for a while, two
 * workers draining, at each rate asked for. Latency is read from the committed rows: from
 * `submitted_at` (when the api accepted the task) to `committed_at` (when its group's write
 * began), so the client's own delays do not count and nothing is sampled. At a high rate groups
 * fill and are released by size; at a low one they wait out BATCH_TIMEOUT_MS.
 *
 * The load goes on, unmeasured, for BATCH_TIMEOUT_MS + 1 s after the window, so that the
 * window's last tasks meet a steady load rather than the partial groups of a load that stops.
 */
import { Queue } from 'bullmq';
import { sql } from 'kysely';
import { startApi, startSluiceWorkers } from './bench-apps.js';
import type { FlushTrigger, LatencyLevel, LatencyResult, LatencyRun } from './bench-result.js';
import { runSteadyLoad } from './http-load.js';
import type { NodeChild } from './node-child.js';
import { waitForDrain } from './queue-watch.js';
import { appContextOf, checkAborted, type ScenarioContext } from './scenario-context.js';
import { percentilesOf, spreadOf } from './statistics.js';

const QUEUE = 'bench-latency';
const WORKERS = 2;

export const runLatencyScenario = async (context: ScenarioContext): Promise<LatencyResult> => {
  const { options, servers, progress, signal } = context;
  const apps = appContextOf(context);
  const timeoutMs = Number(apps.env.BATCH_TIMEOUT_MS);
  const runs: LatencyRun[] = [];
  await servers.reset([QUEUE]);
  const api = await startApi(apps, QUEUE);
  const queue = new Queue(QUEUE, { connection: servers.redis });
  try {
    for (let repeat = 1; repeat <= options.repeats; repeat += 1) {
      for (const rate of options.latencyRates) {
        checkAborted(signal);
        const label = `latency ${repeat}/${options.repeats} at ${rate.toLocaleString('en-US')}/s`;
        await servers.reset([QUEUE]);
        let workers: ReadonlyArray<NodeChild> = [];
        try {
          workers = await startSluiceWorkers(apps, servers.redis, QUEUE, WORKERS);
          const load = await runSteadyLoad({
            apiUrl: api.url,
            rate,
            durationMs: options.latencyMs,
            runOutMs: timeoutMs + 1_000,
            // Enough for a stalled api to be felt as latency.
            maxInFlight: 64,
            signal,
            onProgress: (sent) => progress.update(`${label}: ${sent.toLocaleString('en-US')} sent`),
          });
          // The api answers every request it accepts (issue 13): one without an answer is a fault
          // to find, not noise to tolerate, and a task it may or may not have stored spoils the count.
          if (load.refused > 0 || load.unanswered > 0) {
            throw new Error(
              `${label}: of ${load.sent} requests ${load.unanswered} got no answer and ${load.refused} were refused, ` +
                `e.g. ${load.failureSamples.join('; ')}; the api ${api.child.isUp() ? 'is up' : 'exited'}, its last lines:\n${api.child.tail()}`,
            );
          }
          progress.update(`${label}: waiting for the last groups`);
          const drained = await waitForDrain(servers.redis, queue, { timeoutMs: 120_000, signal });
          if (drained.failed > 0) throw new Error(`${label}: ${drained.failed} jobs failed`);
          const { rows: counted } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM tasks`.execute(servers.db);
          const rows = counted[0]?.n ?? 0;
          if (rows !== load.accepted) throw new Error(`${label}: ${rows} rows for ${load.accepted} accepted tasks`);
          const windowEnd = new Date(load.windowEndedAt);
          const latencies = await sql<{ ms: number }>`
            SELECT extract(epoch FROM committed_at - submitted_at)::float8 * 1000 AS ms
            FROM tasks WHERE submitted_at < ${windowEnd}
          `.execute(servers.db);
          // Groups that committed a task of the window.
          const flushRows = await sql<{ trigger: FlushTrigger; n: number }>`
            SELECT trigger, count(*)::int AS n FROM batches
            WHERE id IN (SELECT DISTINCT batch_id FROM tasks WHERE submitted_at < ${windowEnd})
            GROUP BY trigger
          `.execute(servers.db);
          const flushes: Record<FlushTrigger, number> = { size: 0, timeout: 0, pressure: 0, shutdown: 0 };
          for (const row of flushRows.rows) flushes[row.trigger] = row.n;
          const latencyMs = percentilesOf(latencies.rows.map((row) => row.ms));
          runs.push({
            rate,
            repeat,
            tasks: latencyMs.n,
            achievedRate: latencyMs.n / (options.latencyMs / 1000),
            latencyMs,
            flushes,
          });
          progress.note(
            `${label}: p50 ${latencyMs.p50.toFixed(0)} ms, p95 ${latencyMs.p95.toFixed(0)} ms, p99 ${latencyMs.p99.toFixed(0)} ms ` +
              `(${latencyMs.n.toLocaleString('en-US')} tasks in the window; groups by size ${flushes.size}, by timeout ${flushes.timeout})`,
          );
        } finally {
          await Promise.all(workers.map((worker) => worker.stop()));
        }
      }
    }
  } finally {
    progress.done();
    await queue.close();
    await api.child.stop();
  }
  const levels = options.latencyRates.map((rate): LatencyLevel => {
    const at = runs.filter((run) => run.rate === rate);
    const share = (run: LatencyRun): number => {
      const groups = run.flushes.size + run.flushes.timeout + run.flushes.shutdown;
      return groups === 0 ? Number.NaN : run.flushes.size / groups;
    };
    return {
      rate,
      p50Ms: spreadOf(at.map((run) => run.latencyMs.p50)),
      p95Ms: spreadOf(at.map((run) => run.latencyMs.p95)),
      p99Ms: spreadOf(at.map((run) => run.latencyMs.p99)),
      sizeFlushShare: spreadOf(at.map(share).filter((value) => !Number.isNaN(value))),
      achievedRate: spreadOf(at.map((run) => run.achievedRate)),
    };
  });
  return {
    seconds: options.latencyMs / 1000,
    workers: WORKERS,
    batchTimeoutMs: Number(apps.env.BATCH_TIMEOUT_MS),
    runs,
    levels,
  };
};
