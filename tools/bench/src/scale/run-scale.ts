/**
 * The scaling run: one Redis and one PostgreSQL for the whole run; for each round a fresh api and
 * N workers, the same number of tasks submitted through the api's load generator, and the time
 * from the first submission to the last commit, with the CPU each part of the stack used.
 */
import { readFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { sql, type Kysely } from 'kysely';
import { createDatabaseIfMissing, createDb, migrateToLatest, type Database } from '@sluice/store';
import {
  freePort,
  startNodeProcess,
  startPostgresServer,
  startRedisServer,
  type NodeProcess,
  type PostgresServer,
  type RedisServer,
} from '@sluice/testkit/servers';
import { describeMachine, type MachineInfo } from '../chaos/machine-info.js';
import { cpuSplit, describeBound, sampleOf, type Bound, type CpuSample, type CpuSplit, type StackPids } from './cpu-split.js';
import { clockTicksPerSecond, peakRssBytes, readAllProcStats, readMachineTicks } from './proc-stat.js';
import type { ScaleOptions } from './scale-options.js';

/**
 * What the api and the workers run with: the production defaults written out, so the JSON result
 * records them, except the demo handlers' simulated provider call, which is off (DEMO_WORK_MS=0):
 * the run measures Sluice, not a sleep.
 */
export const SCALE_SERVICE_ENV: Readonly<Record<string, string>> = Object.freeze({
  QUEUE_NAME: 'tasks',
  BATCH_SIZE: '100',
  BATCH_TIMEOUT_MS: '3000',
  BATCH_CONCURRENCY: '4',
  BATCH_MAX_RETRIES: '3',
  BACKOFF_DELAY_MS: '1000',
  DEMO_WORK_MS: '0',
  DEMO_FAILURE_RATE: '0',
  LOG_LEVEL: 'info',
  LOG_FORMAT: 'json',
});

const TASK_TYPES = ['EMAIL', 'SMS', 'PUSH'] as const;
const DATABASE = 'sluice_scale';
const POLL_MS = 200;
const STOP_TIMEOUT_MS = 30_000;

/** One round: N workers, its throughput, its CPU split and its checks. */
export interface ScaleRound {
  readonly workers: number;
  /** Tasks the api answered 202 for. */
  readonly accepted: number;
  /** Rows in `tasks` after the drain, and distinct ids among them. */
  readonly rows: number;
  readonly distinctIds: number;
  readonly completed: number;
  /** Redelivered tasks the commit found already written (`batches.duplicates`). */
  readonly duplicatesSkipped: number;
  /** Jobs in BullMQ's failed set. */
  readonly failedJobs: number;
  /** From the first submission to the last commit. */
  readonly seconds: number;
  /** Committed tasks per second over {@link seconds}. */
  readonly perSecond: number;
  /**
   * From the first submission until 99 % of the tasks had committed, and the rate over that: the
   * last groups of each worker and task type fill no more and leave on BATCH_TIMEOUT_MS, a tail
   * that says nothing about throughput.
   */
  readonly secondsTo99: number;
  readonly perSecondTo99: number;
  readonly cpu: CpuSplit;
  readonly bound: Bound;
  /** The largest peak resident memory among the workers, in MB. */
  readonly workerPeakRssMb: number;
  /** Every submitted task accepted and committed once, none failed, none skipped as a duplicate. */
  readonly ok: boolean;
  readonly problems: ReadonlyArray<string>;
}

export interface ScaleResult {
  readonly startedAt: string;
  readonly machine: MachineInfo;
  readonly serviceEnv: Readonly<Record<string, string>>;
  readonly tasksPerRound: number;
  readonly rounds: ReadonlyArray<ScaleRound>;
}

export interface ScaleDeps {
  /** The repository root: the api and worker are run from their `dist/`. */
  readonly root: string;
  /** Progress lines. */
  readonly log: (line: string) => void;
  readonly signal?: AbortSignal;
  /** Receives a function that SIGKILLs everything started so far, for a process exiting now. */
  readonly onKillSwitch?: (killNow: () => void) => void;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const stopProcess = async (child: NodeProcess): Promise<void> => {
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await child.exited;
  clearTimeout(timer);
};

interface Verification {
  readonly rows: number;
  readonly ids: number;
  readonly completed: number;
  readonly last: Date | null;
  /** When 99 % of the rows had committed: the end of the run without the last groups' timeout. */
  readonly p99: Date | null;
  readonly duplicates: number;
}

const verify = async (db: Kysely<Database>): Promise<Verification> => {
  const tasks = await sql<{ rows: number; ids: number; completed: number; last: Date | null; p99: Date | null }>`
    SELECT count(*)::int AS rows, count(DISTINCT id)::int AS ids,
           count(*) FILTER (WHERE status = 'COMPLETED')::int AS completed, max(committed_at) AS last,
           percentile_disc(0.99) WITHIN GROUP (ORDER BY committed_at) AS p99
    FROM tasks`.execute(db);
  const batches = await sql<{ duplicates: number }>`
    SELECT coalesce(sum(duplicates), 0)::int AS duplicates FROM batches`.execute(db);
  const row = tasks.rows[0];
  return {
    rows: row?.rows ?? 0,
    ids: row?.ids ?? 0,
    completed: row?.completed ?? 0,
    last: row?.last ?? null,
    p99: row?.p99 ?? null,
    duplicates: batches.rows[0]?.duplicates ?? 0,
  };
};

/** Tasks with a final outcome so far, from the batch rows (a hundred times fewer than tasks). */
const finishedCount = async (db: Kysely<Database>): Promise<number> =>
  (await sql<{ done: number }>`SELECT coalesce(sum(completed + failed), 0)::int AS done FROM batches`.execute(db)).rows[0]
    ?.done ?? 0;

/**
 * Runs every round of `options.workerCounts` and returns their figures. Servers and processes it
 * started are stopped before it returns or throws.
 *
 * @example
 * const result = await runScale(parseScaleArgs([], { defaultJsonPath }), { root, log: console.log });
 */
export const runScale = async (options: ScaleOptions, deps: ScaleDeps): Promise<ScaleResult> => {
  const startedAt = new Date().toISOString();
  const started: NodeProcess[] = [];
  let redis: RedisServer | undefined;
  let postgres: PostgresServer | undefined;
  deps.onKillSwitch?.(() => {
    for (const child of started) child.kill('SIGKILL');
    void redis?.kill();
    void postgres?.kill();
  });
  const checkAborted = (): void => {
    if (deps.signal?.aborted) throw new Error('the scaling run was interrupted');
  };

  let probeRedis: Redis | undefined;
  let db: Kysely<Database> | undefined;
  let queue: Queue | undefined;
  try {
    [redis, postgres] = await Promise.all([startRedisServer(), startPostgresServer({ durable: true })]);
    const databaseUrl = postgres.url(DATABASE);
    await createDatabaseIfMissing(databaseUrl);
    db = createDb(databaseUrl, { poolSize: 2 });
    await migrateToLatest(db);
    probeRedis = new Redis(redis.url, { maxRetriesPerRequest: 1 });
    queue = new Queue(SCALE_SERVICE_ENV['QUEUE_NAME'] ?? 'tasks', { connection: probeRedis });
    const machine = await describeMachine({ root: deps.root, redis: probeRedis, db });
    const ticksPerSecond = await clockTicksPerSecond();
    const redisPid = Number(/process_id:(\d+)/.exec(await probeRedis.info('server'))?.[1]);
    const postmasterPid = Number((await readFile(`${postgres.dataDir}/postmaster.pid`, 'utf8')).split('\n')[0]);
    const env = { ...SCALE_SERVICE_ENV, REDIS_URL: redis.url, DATABASE_URL: databaseUrl };
    deps.log(
      `scale: ${options.tasks.toLocaleString('en-US')} tasks per round, rounds of ${options.workerCounts.join(', ')} ` +
        `worker(s); Redis ${machine.redis}, PostgreSQL ${machine.postgres}, ${machine.cores} cores`,
    );

    const rounds: ScaleRound[] = [];
    for (const workerCount of options.workerCounts) {
      checkAborted();
      await sql`TRUNCATE tasks, batches`.execute(db);
      await sql`CHECKPOINT`.execute(db);
      await probeRedis.flushall();

      const port = await freePort();
      const api = startNodeProcess(`${deps.root}/apps/api/dist/main.js`, { ...env, PORT: String(port) });
      started.push(api);
      const workers = Array.from({ length: workerCount }, (_, index) =>
        startNodeProcess(`${deps.root}/apps/worker/dist/main.js`, {
          ...env,
          METRICS_PORT: '0',
          WORKER_ID: `scale-${workerCount}-${index + 1}`,
        }),
      );
      started.push(...workers);
      await Promise.all([api.waitForOutput(/api listening/), ...workers.map((worker) => worker.waitForOutput(/worker started/))]);
      const pids: StackPids = {
        workers: workers.map((worker) => worker.pid),
        api: api.pid,
        redis: redisPid,
        postgres: postmasterPid,
        driver: process.pid,
      };
      const sample = async (): Promise<CpuSample> =>
        sampleOf(await readAllProcStats(), pids, (await readMachineTicks()).busy);

      const before = await sample();
      const firstSubmission = Date.now();
      let accepted = 0;
      const problems: string[] = [];
      for (let sent = 0; sent < options.tasks; sent += options.perRequest) {
        checkAborted();
        const count = Math.min(options.perRequest, options.tasks - sent);
        const response = await fetch(`http://127.0.0.1:${port}/api/tasks/batch`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ count, taskTypes: TASK_TYPES }),
        });
        const body = (await response.json()) as { accepted?: number };
        if (response.status === 202) accepted += body.accepted ?? 0;
        else problems.push(`POST /api/tasks/batch answered ${response.status}: ${JSON.stringify(body).slice(0, 200)}`);
      }
      const deadline = Date.now() + options.drainTimeoutMs;
      while ((await finishedCount(db)) < accepted && Date.now() < deadline) {
        checkAborted();
        await sleep(POLL_MS);
      }
      const after = await sample();
      const windowMs = Date.now() - firstSubmission;

      const check = await verify(db);
      const failedJobs = (await queue.getJobCounts('failed')).failed ?? 0;
      const peaks = await Promise.all(workers.map((worker) => peakRssBytes(worker.pid)));
      await Promise.all(workers.map(stopProcess));
      await stopProcess(api);
      started.length = 0;

      if (accepted !== options.tasks) problems.push(`the api accepted ${accepted} of ${options.tasks} tasks`);
      if (check.rows !== accepted) problems.push(`${check.rows} rows committed for ${accepted} accepted tasks`);
      if (check.ids !== check.rows) problems.push(`${check.rows - check.ids} duplicate rows`);
      if (check.completed !== check.rows) problems.push(`${check.rows - check.completed} rows not COMPLETED`);
      if (check.duplicates !== 0) problems.push(`${check.duplicates} redelivered tasks skipped as duplicates`);
      if (failedJobs !== 0) problems.push(`${failedJobs} jobs in BullMQ's failed set`);
      const seconds = ((check.last?.getTime() ?? Date.now()) - firstSubmission) / 1_000;
      const secondsTo99 = ((check.p99?.getTime() ?? Date.now()) - firstSubmission) / 1_000;
      const cpu = cpuSplit(before, after, windowMs, ticksPerSecond);
      const round: ScaleRound = {
        workers: workerCount,
        accepted,
        rows: check.rows,
        distinctIds: check.ids,
        completed: check.completed,
        duplicatesSkipped: check.duplicates,
        failedJobs,
        seconds,
        perSecond: check.rows / seconds,
        secondsTo99,
        perSecondTo99: Math.ceil(check.rows * 0.99) / secondsTo99,
        cpu,
        bound: describeBound(cpu, cpus().length),
        workerPeakRssMb: Math.round(Math.max(0, ...peaks.map((peak) => peak ?? 0)) / 1_048_576),
        ok: problems.length === 0,
        problems,
      };
      rounds.push(round);
      deps.log(
        `  ${workerCount} worker(s): ${round.rows.toLocaleString('en-US')} committed in ${seconds.toFixed(1)} s, ` +
          `${Math.round(round.perSecond).toLocaleString('en-US')}/s; ${round.bound.text}`,
      );
    }
    return {
      startedAt,
      machine,
      serviceEnv: SCALE_SERVICE_ENV,
      tasksPerRound: options.tasks,
      rounds,
    };
  } finally {
    await Promise.allSettled(started.map(stopProcess));
    await queue?.close().catch(() => undefined);
    probeRedis?.disconnect();
    await db?.destroy().catch(() => undefined);
    await Promise.allSettled([redis?.stop(), postgres?.stop()]);
  }
};
