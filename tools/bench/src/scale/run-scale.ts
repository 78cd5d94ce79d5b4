/**
 * The scaling run: one Redis and one PostgreSQL for the whole run; for each round a fresh api and
 * N workers, and two measurements of the same number of tasks:
 *
 * - end to end: the tasks are submitted through the api's load generator while the workers run,
 *   timed from the first submission to the last commit (what a user sees);
 * - drain: the tasks are submitted while the queue is paused, then the queue is resumed, timed
 *   from the resume to the last commit (what the workers alone can do, the api idle).
 *
 * Each measurement records the CPU every part of the stack used, and checks that every task was
 * committed exactly once.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { readFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { sql, type Kysely } from 'kysely';
import { API_NODE_OPTIONS, WORKER_NODE_OPTIONS } from '@sluice/config';
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
import {
  cpuSplit,
  describeBound,
  sampleOf,
  type Bound,
  type CpuSample,
  type CpuSplit,
  type StackPids,
} from './cpu-split.js';
import { clockTicksPerSecond, readAllProcStats, readMachineBusyTicks, readPeakRssMb } from '../bench/proc-stats.js';
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

export type MeasurementKind = 'endToEnd' | 'drain';

/** One measurement of a round: its throughput, its CPU split and its checks. */
export interface Measurement {
  /** Tasks the api answered 202 for. */
  readonly accepted: number;
  /** Rows in `tasks` afterwards, and distinct ids among them. */
  readonly rows: number;
  readonly distinctIds: number;
  readonly completed: number;
  /** Redelivered tasks the commit found already written (`batches.duplicates`). */
  readonly duplicatesSkipped: number;
  /** Jobs in BullMQ's failed set. */
  readonly failedJobs: number;
  /** From the first submission to the api's last 202: how fast the api enqueued. */
  readonly submitSeconds: number;
  /** End to end: the most jobs seen waiting once the api had answered; above 0, the workers were behind. */
  readonly peakWaiting: number;
  /** From the start (first submission, or the resume) to the last commit. */
  readonly seconds: number;
  /** Committed tasks per second over {@link seconds}. */
  readonly perSecond: number;
  /**
   * From the start until 95 % of the tasks had committed, and the rate over that: the last groups
   * of each worker and task type fill no more and leave on BATCH_TIMEOUT_MS, a tail that says
   * nothing about throughput.
   */
  readonly secondsTo95: number;
  readonly perSecondTo95: number;
  readonly cpu: CpuSplit;
  readonly bound: Bound;
  readonly groups: GroupFigures;
  /** Empty when every task was accepted and committed once, none failed, none skipped as a duplicate. */
  readonly problems: ReadonlyArray<string>;
}

/** One round: N workers, measured end to end and draining. */
export interface ScaleRound {
  readonly workers: number;
  readonly endToEnd: Measurement;
  readonly drain: Measurement;
  /** The largest peak resident memory among the workers, in MB. */
  readonly workerPeakRssMb: number;
  readonly ok: boolean;
}

export interface ScaleResult {
  readonly startedAt: string;
  readonly machine: MachineInfo;
  readonly serviceEnv: Readonly<Record<string, string>>;
  readonly tasksPerRound: number;
  readonly inFlight: number;
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

const stopProcess = async (child: NodeProcess): Promise<void> => {
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await child.exited;
  clearTimeout(timer);
};

/** Where a group's time went, from the `batches` rows of a measurement. */
export interface GroupFigures {
  readonly count: number;
  readonly averageSize: number;
  /** Groups released by BATCH_TIMEOUT_MS rather than full. */
  readonly timeouts: number;
  /** From the group's first task to its release, in ms (average). */
  readonly fillMs: number;
  /** From its release to its commit, in ms (average): the handler, the commit, and any wait for a commit slot. */
  readonly releaseToCommitMs: number;
  /** The commit statement alone, in ms. */
  readonly commitP50Ms: number;
  readonly commitP95Ms: number;
}

const groupFigures = async (db: Kysely<Database>): Promise<GroupFigures> => {
  const { rows } = await sql<{
    count: number;
    average_size: number | null;
    timeouts: number;
    fill_ms: number | null;
    release_to_commit_ms: number | null;
    commit_p50_ms: number | null;
    commit_p95_ms: number | null;
  }>`
    SELECT count(*)::int AS count, avg(size)::float8 AS average_size,
           count(*) FILTER (WHERE trigger = 'timeout')::int AS timeouts,
           avg(extract(epoch FROM flushed_at - opened_at) * 1000)::float8 AS fill_ms,
           avg(extract(epoch FROM committed_at - flushed_at) * 1000)::float8 AS release_to_commit_ms,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY commit_ms)::float8 AS commit_p50_ms,
           percentile_cont(0.95) WITHIN GROUP (ORDER BY commit_ms)::float8 AS commit_p95_ms
    FROM batches`.execute(db);
  const row = rows[0];
  return {
    count: row?.count ?? 0,
    averageSize: row?.average_size ?? 0,
    timeouts: row?.timeouts ?? 0,
    fillMs: row?.fill_ms ?? 0,
    releaseToCommitMs: row?.release_to_commit_ms ?? 0,
    commitP50Ms: row?.commit_p50_ms ?? 0,
    commitP95Ms: row?.commit_p95_ms ?? 0,
  };
};

interface Verification {
  readonly rows: number;
  readonly ids: number;
  readonly completed: number;
  readonly last: Date | null;
  readonly p95: Date | null;
  readonly duplicates: number;
}

const verify = async (db: Kysely<Database>): Promise<Verification> => {
  const tasks = await sql<{ rows: number; ids: number; completed: number; last: Date | null; p95: Date | null }>`
    SELECT count(*)::int AS rows, count(DISTINCT id)::int AS ids,
           count(*) FILTER (WHERE status = 'COMPLETED')::int AS completed, max(committed_at) AS last,
           percentile_disc(0.95) WITHIN GROUP (ORDER BY committed_at) AS p95
    FROM tasks`.execute(db);
  const batches = await sql<{ duplicates: number }>`
    SELECT coalesce(sum(duplicates), 0)::int AS duplicates FROM batches`.execute(db);
  const row = tasks.rows[0];
  return {
    rows: row?.rows ?? 0,
    ids: row?.ids ?? 0,
    completed: row?.completed ?? 0,
    last: row?.last ?? null,
    p95: row?.p95 ?? null,
    duplicates: batches.rows[0]?.duplicates ?? 0,
  };
};

/** Tasks with a final outcome so far, from the batch rows (a hundred times fewer than tasks). */
const finishedCount = async (db: Kysely<Database>): Promise<number> =>
  (await sql<{ done: number }>`SELECT coalesce(sum(completed + failed), 0)::int AS done FROM batches`.execute(db))
    .rows[0]?.done ?? 0;

/** Sends `total` tasks to the api's load generator, `perRequest` a request, `inFlight` requests at once. */
const submit = async (
  apiUrl: string,
  total: number,
  options: Pick<ScaleOptions, 'perRequest' | 'inFlight'>,
  problems: string[],
): Promise<number> => {
  const counts: number[] = [];
  for (let sent = 0; sent < total; sent += options.perRequest) counts.push(Math.min(options.perRequest, total - sent));
  let accepted = 0;
  const sender = async (): Promise<void> => {
    for (let count = counts.shift(); count !== undefined; count = counts.shift()) {
      const response = await fetch(`${apiUrl}/api/tasks/batch`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ count, taskTypes: TASK_TYPES }),
      });
      const body = (await response.json()) as { accepted?: number };
      if (response.status === 202) accepted += body.accepted ?? 0;
      else problems.push(`POST /api/tasks/batch answered ${response.status}: ${JSON.stringify(body).slice(0, 200)}`);
    }
  };
  await Promise.all(Array.from({ length: options.inFlight }, sender));
  return accepted;
};

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
    const store = createDb(databaseUrl, { poolSize: 2 });
    db = store;
    await migrateToLatest(store);
    const probe = new Redis(redis.url, { maxRetriesPerRequest: 1 });
    probeRedis = probe;
    const tasksQueue = new Queue(SCALE_SERVICE_ENV.QUEUE_NAME ?? 'tasks', { connection: probe });
    queue = tasksQueue;
    const machine = await describeMachine({ root: deps.root, redis: probe, db: store });
    const ticksPerSecond = await clockTicksPerSecond();
    const cores = cpus().length;
    const redisPid = Number(/process_id:(\d+)/.exec(await probe.info('server'))?.[1]);
    const postmasterPid = Number((await readFile(`${postgres.dataDir}/postmaster.pid`, 'utf8')).split('\n')[0]);
    const serviceEnv = { ...SCALE_SERVICE_ENV, ...options.serviceEnv };
    const env = { ...serviceEnv, REDIS_URL: redis.url, DATABASE_URL: databaseUrl };
    deps.log(
      `scale: ${options.tasks.toLocaleString('en-US')} tasks per measurement, rounds of ${options.workerCounts.join(', ')} ` +
        `worker(s); Redis ${machine.redis}, PostgreSQL ${machine.postgres}, ${machine.cores} cores`,
    );

    const reset = async (): Promise<void> => {
      await sql`TRUNCATE tasks, batches`.execute(store);
      await sql`CHECKPOINT`.execute(store);
      await probe.flushall();
    };

    const rounds: ScaleRound[] = [];
    for (const workerCount of options.workerCounts) {
      checkAborted();
      await reset();
      const port = await freePort();
      const apiUrl = `http://127.0.0.1:${port}`;
      const api = startNodeProcess(`${deps.root}/apps/api/dist/main.js`, {
        NODE_OPTIONS: API_NODE_OPTIONS,
        ...env,
        PORT: String(port),
      });
      started.push(api);
      const workers = Array.from({ length: workerCount }, (_, index) =>
        startNodeProcess(`${deps.root}/apps/worker/dist/main.js`, {
          NODE_OPTIONS: WORKER_NODE_OPTIONS,
          ...env,
          METRICS_PORT: '0',
          WORKER_ID: `scale-${workerCount}-${index + 1}`,
        }),
      );
      started.push(...workers);
      await Promise.all([
        api.waitForOutput(/api listening/),
        ...workers.map((worker) => worker.waitForOutput(/worker started/)),
      ]);
      const pids: StackPids = {
        workers: workers.map((worker) => worker.pid),
        api: api.pid,
        redis: redisPid,
        postgres: postmasterPid,
        driver: process.pid,
      };
      const sample = async (): Promise<CpuSample> =>
        sampleOf(await readAllProcStats(), pids, (await readMachineBusyTicks()) ?? 0);

      const measure = async (kind: MeasurementKind): Promise<Measurement> => {
        checkAborted();
        const problems: string[] = [];
        let accepted = 0;
        let submitSeconds = 0;
        let before: CpuSample;
        let start: number;
        if (kind === 'drain') {
          await tasksQueue.pause();
          const submittedAt = Date.now();
          accepted = await submit(apiUrl, options.tasks, options, problems);
          submitSeconds = (Date.now() - submittedAt) / 1_000;
          before = await sample();
          start = Date.now();
          await tasksQueue.resume();
        } else {
          before = await sample();
          start = Date.now();
          accepted = await submit(apiUrl, options.tasks, options, problems);
          submitSeconds = (Date.now() - start) / 1_000;
        }
        const deadline = Date.now() + options.drainTimeoutMs;
        let peakWaiting = 0;
        // The CPU split covers the busy part only: up to 95 % committed. After it the last groups
        // of each task type wait out BATCH_TIMEOUT_MS with every core idle, which would dilute the
        // averages and make a CPU-bound round read as latency-bound. Those groups hold up to
        // workers × task types × (BATCH_SIZE − 1) tasks: 1.2 % of 50,000 with 4 workers, so 99 %
        // was not enough; 5 % leaves room for 8.
        const busyUntil = Math.ceil(accepted * 0.95);
        let busy: { readonly sample: CpuSample; readonly at: number } | undefined;
        for (;;) {
          const finished = await finishedCount(store);
          if (busy === undefined && finished >= busyUntil) busy = { sample: await sample(), at: Date.now() };
          if (finished >= accepted || Date.now() >= deadline) break;
          checkAborted();
          if (kind === 'endToEnd')
            peakWaiting = Math.max(peakWaiting, (await tasksQueue.getJobCounts('waiting')).waiting ?? 0);
          await sleep(POLL_MS);
        }
        const { sample: after, at: busyEnd } = busy ?? { sample: await sample(), at: Date.now() };
        const windowMs = busyEnd - start;
        const check = await verify(store);
        const failedJobs = (await tasksQueue.getJobCounts('failed')).failed ?? 0;
        if (accepted !== options.tasks) problems.push(`the api accepted ${accepted} of ${options.tasks} tasks`);
        if (check.rows !== accepted) problems.push(`${check.rows} rows committed for ${accepted} accepted tasks`);
        if (check.ids !== check.rows) problems.push(`${check.rows - check.ids} duplicate rows`);
        if (check.completed !== check.rows) problems.push(`${check.rows - check.completed} rows not COMPLETED`);
        if (check.duplicates !== 0) problems.push(`${check.duplicates} redelivered tasks skipped as duplicates`);
        if (failedJobs !== 0) problems.push(`${failedJobs} jobs in BullMQ's failed set`);
        const seconds = ((check.last?.getTime() ?? Date.now()) - start) / 1_000;
        const secondsTo95 = ((check.p95?.getTime() ?? Date.now()) - start) / 1_000;
        const cpu = cpuSplit(before, after, windowMs, ticksPerSecond);
        return {
          accepted,
          rows: check.rows,
          distinctIds: check.ids,
          completed: check.completed,
          duplicatesSkipped: check.duplicates,
          failedJobs,
          submitSeconds,
          peakWaiting,
          seconds,
          perSecond: check.rows / seconds,
          secondsTo95,
          perSecondTo95: Math.ceil(check.rows * 0.95) / secondsTo95,
          cpu,
          bound: describeBound(cpu, cores),
          groups: await groupFigures(store),
          problems,
        };
      };

      const endToEnd = await measure('endToEnd');
      // The second measurement starts from empty tables; the workers and the api stay up.
      await sql`TRUNCATE tasks, batches`.execute(store);
      const drain = await measure('drain');
      const peaks = await Promise.all(workers.map((worker) => readPeakRssMb(worker.pid)));
      await Promise.all(workers.map(stopProcess));
      await stopProcess(api);
      started.length = 0;

      const round: ScaleRound = {
        workers: workerCount,
        endToEnd,
        drain,
        workerPeakRssMb: Math.round(Math.max(0, ...peaks.map((peak) => peak ?? 0))),
        ok: endToEnd.problems.length === 0 && drain.problems.length === 0,
      };
      rounds.push(round);
      const line = (name: string, m: Measurement): string =>
        `  ${workerCount} worker(s), ${name}: ${m.rows.toLocaleString('en-US')} committed in ${m.seconds.toFixed(1)} s, ` +
        `${Math.round(m.perSecond).toLocaleString('en-US')}/s; ${m.bound.text}`;
      deps.log(line('end to end', endToEnd));
      deps.log(line('drain', drain));
    }
    return {
      startedAt,
      machine,
      serviceEnv,
      tasksPerRound: options.tasks,
      inFlight: options.inFlight,
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
