/**
 * The scaling run: one Redis (or, with `cluster`, a Redis Cluster and the queue in shards over its
 * primaries) and one PostgreSQL for the whole run; for each round a fresh api and N workers, and
 * two measurements of the same number of tasks:
 *
 * - end to end: the tasks are submitted through the api's load generator while the workers run,
 *   timed from the first submission to the last commit (what a user sees);
 * - drain: the tasks are submitted while the queue is paused, then the queue is resumed, timed
 *   from the resume to the last commit (what the workers alone can do, the api idle).
 *
 * Each measurement records the CPU every part of the stack used, each Redis server's script
 * calls and CPU per task, and checks that every task was committed exactly once.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { readFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { sql, type Kysely } from 'kysely';
import { API_NODE_OPTIONS, WORKER_NODE_OPTIONS } from '@sluice/config';
import { createDatabaseIfMissing, createDb, migrateToLatest, type Database } from '@sluice/store';
import { createRedisClient, shardPlacement, shardQueueNames, type RedisClient } from '@sluice/tasks';
import {
  freePort,
  startNodeProcess,
  startPostgresServer,
  startRedisCluster,
  startRedisServer,
  type NodeProcess,
  type PostgresServer,
  type RedisCluster,
  type RedisServer,
} from '@sluice/testkit/servers';
import { describeMachine, type MachineInfo } from '../chaos/machine-info.js';
import {
  cpuPerTask,
  cpuSplit,
  describeBound,
  sampleOf,
  type Bound,
  type CpuSample,
  type CpuSplit,
  type StackPids,
  type CpuPart,
} from './cpu-split.js';
import {
  primaryFigures,
  readingOf,
  type PrimaryFigures,
  type RedisReading,
  type ServerReadings,
} from './primary-figures.js';
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
/** How long each round watches Redis with nothing queued before its first measurement. */
const IDLE_MS = 3_000;

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
  /** The window {@link cpu} covers, in ms: from the start until 95 % had committed. */
  readonly windowMs: number;
  /** Tasks finished at the window's end (95 % of them or a few more): the divisor of the per-task figures. */
  readonly tasksInWindow: number;
  /** µs of CPU each part used per task over the window. */
  readonly cpuPerTask: Readonly<Record<CpuPart | 'other', number>>;
  /** Each Redis server over the window (the one redis-server, or every primary): script calls, CPU per task. */
  readonly redisServers: ReadonlyArray<PrimaryFigures>;
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
  /**
   * Each Redis server's cores over {@link IDLE_MS} with the api and the workers up and nothing
   * queued: what polling every shard costs whatever the load, inside each measurement's CPU per task.
   */
  readonly redisIdle: ReadonlyArray<{ readonly server: string; readonly cores: number }>;
  readonly ok: boolean;
}

/** Where the queue ran: one redis-server and one queue, or a cluster's primaries and the shards over them. */
export interface RedisLayout {
  readonly cluster: boolean;
  readonly primaries: number;
  readonly shards: number;
}

export interface ScaleResult {
  readonly startedAt: string;
  readonly machine: MachineInfo;
  readonly redis: RedisLayout;
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
  let cluster: RedisCluster | undefined;
  let postgres: PostgresServer | undefined;
  deps.onKillSwitch?.(() => {
    for (const child of started) child.kill('SIGKILL');
    void redis?.kill();
    cluster?.nodes.forEach((_, index) => void cluster?.killNode(index));
    void postgres?.kill();
  });
  const checkAborted = (): void => {
    if (deps.signal?.aborted) throw new Error('the scaling run was interrupted');
  };

  let probeRedis: RedisClient | undefined;
  const serverClients: Redis[] = [];
  let db: Kysely<Database> | undefined;
  const queues: Queue[] = [];
  try {
    const layout: RedisLayout =
      options.cluster === undefined
        ? { cluster: false, primaries: 1, shards: 1 }
        : { cluster: true, ...options.cluster };
    const [startedRedis, startedPostgres] = await Promise.all([
      layout.cluster ? startRedisCluster({ primaries: layout.primaries }) : startRedisServer(),
      startPostgresServer({ durable: true }),
    ]);
    postgres = startedPostgres;
    const oneRedis = 'nodesEnv' in startedRedis ? undefined : startedRedis;
    const redisCluster = 'nodesEnv' in startedRedis ? startedRedis : undefined;
    redis = oneRedis;
    cluster = redisCluster;
    const databaseUrl = startedPostgres.url(DATABASE);
    await createDatabaseIfMissing(databaseUrl);
    const store = createDb(databaseUrl, { poolSize: 2 });
    db = store;
    await migrateToLatest(store);
    // Each Redis server on its own: INFO, CONFIG RESETSTAT and FLUSHALL are per server, and a
    // cluster client would send them to one node of its choosing.
    const servers =
      redisCluster === undefined
        ? [{ name: 'redis', url: oneRedis?.url ?? '' }]
        : redisCluster.nodes.map((node) => ({ name: `${node.host}:${node.port}`, url: node.url }));
    for (const server of servers) serverClients.push(new Redis(server.url, { maxRetriesPerRequest: 1 }));
    const probe = createRedisClient(
      redisCluster === undefined
        ? { url: oneRedis?.url ?? '' }
        : { url: redisCluster.nodes[0]?.url ?? '', clusterNodes: redisCluster.nodes },
      { maxRetriesPerRequest: 1 },
    );
    probeRedis = probe;
    // The queues the api and the workers use: `tasks` alone on one Redis, every shard on a cluster.
    const queueNames = shardQueueNames({
      queueName: SCALE_SERVICE_ENV.QUEUE_NAME ?? 'tasks',
      shards: layout.shards,
      cluster: layout.cluster,
    });
    for (const name of queueNames) queues.push(new Queue(name, { connection: probe }));
    const placement = await shardPlacement(probe, queueNames);
    const shardsOn = (server: string): ReadonlyArray<number> =>
      placement.find((entry) => entry.server === server)?.shards ?? [];
    const [firstServer] = serverClients;
    if (firstServer === undefined) throw new Error('the run has no Redis server');
    const machine = await describeMachine({ root: deps.root, redis: firstServer, db: store });
    const ticksPerSecond = await clockTicksPerSecond();
    const cores = cpus().length;
    const redisPids = await Promise.all(
      serverClients.map(async (client) => Number(/process_id:(\d+)/.exec(await client.info('server'))?.[1])),
    );
    const postmasterPid = Number((await readFile(`${startedPostgres.dataDir}/postmaster.pid`, 'utf8')).split('\n')[0]);
    const serviceEnv = { ...SCALE_SERVICE_ENV, ...options.serviceEnv };
    const redisEnv: Record<string, string> =
      redisCluster === undefined
        ? { REDIS_URL: oneRedis?.url ?? '' }
        : { REDIS_CLUSTER_NODES: redisCluster.nodesEnv, QUEUE_SHARDS: String(layout.shards) };
    const env = { ...serviceEnv, ...redisEnv, DATABASE_URL: databaseUrl };
    deps.log(
      `scale: ${options.tasks.toLocaleString('en-US')} tasks per measurement, rounds of ${options.workerCounts.join(', ')} ` +
        `worker(s); Redis ${machine.redis}, PostgreSQL ${machine.postgres}, ${machine.cores} cores`,
    );
    if (layout.cluster)
      deps.log(
        `scale: a Redis Cluster of ${layout.primaries} primaries, ${layout.shards} shards: ` +
          placement.map((entry) => `${entry.server} holds ${entry.shards.join(', ') || 'none'}`).join('; '),
      );

    const reset = async (): Promise<void> => {
      await sql`TRUNCATE tasks, batches`.execute(store);
      await sql`CHECKPOINT`.execute(store);
      await Promise.all(serverClients.map((client) => client.flushall()));
    };
    const readServers = (): Promise<ReadonlyArray<RedisReading>> =>
      Promise.all(
        serverClients.map(async (client) => readingOf(String(await client.call('INFO', 'cpu', 'commandstats')))),
      );
    /** Counts script calls from 0 on every server, then reads each one's CPU: a window's start. */
    const startServerWindow = async (): Promise<ReadonlyArray<RedisReading>> => {
      await Promise.all(serverClients.map((client) => client.config('RESETSTAT')));
      return readServers();
    };
    const pairReadings = (
      from: ReadonlyArray<RedisReading>,
      to: ReadonlyArray<RedisReading>,
    ): ReadonlyArray<ServerReadings> =>
      servers.map((server, index) => {
        const before = from[index];
        const after = to[index];
        if (before === undefined || after === undefined) throw new Error(`no reading of Redis ${server.name}`);
        return { server: server.name, shards: shardsOn(server.name), before, after };
      });
    const jobCount = async (state: 'waiting' | 'failed'): Promise<number> =>
      (await Promise.all(queues.map((queue) => queue.getJobCounts(state)))).reduce(
        (sum, counts) => sum + (counts[state] ?? 0),
        0,
      );

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
        redis: redisPids,
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
        let serversBefore: ReadonlyArray<RedisReading>;
        let start: number;
        if (kind === 'drain') {
          await Promise.all(queues.map((queue) => queue.pause()));
          const submittedAt = Date.now();
          accepted = await submit(apiUrl, options.tasks, options, problems);
          submitSeconds = (Date.now() - submittedAt) / 1_000;
          serversBefore = await startServerWindow();
          before = await sample();
          start = Date.now();
          await Promise.all(queues.map((queue) => queue.resume()));
        } else {
          serversBefore = await startServerWindow();
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
        interface WindowEnd {
          readonly sample: CpuSample;
          readonly at: number;
          readonly finished: number;
          readonly servers: ReadonlyArray<RedisReading>;
        }
        const windowEnd = async (finished: number): Promise<WindowEnd> => ({
          sample: await sample(),
          at: Date.now(),
          finished,
          servers: await readServers(),
        });
        let busy: WindowEnd | undefined;
        let finished = 0;
        for (;;) {
          finished = await finishedCount(store);
          if (busy === undefined && finished >= busyUntil) busy = await windowEnd(finished);
          if (finished >= accepted || Date.now() >= deadline) break;
          checkAborted();
          if (kind === 'endToEnd') peakWaiting = Math.max(peakWaiting, await jobCount('waiting'));
          await sleep(POLL_MS);
        }
        const end = busy ?? (await windowEnd(finished));
        const windowMs = end.at - start;
        const check = await verify(store);
        const failedJobs = await jobCount('failed');
        if (accepted !== options.tasks) problems.push(`the api accepted ${accepted} of ${options.tasks} tasks`);
        if (check.rows !== accepted) problems.push(`${check.rows} rows committed for ${accepted} accepted tasks`);
        if (check.ids !== check.rows) problems.push(`${check.rows - check.ids} duplicate rows`);
        if (check.completed !== check.rows) problems.push(`${check.rows - check.completed} rows not COMPLETED`);
        if (check.duplicates !== 0) problems.push(`${check.duplicates} redelivered tasks skipped as duplicates`);
        if (failedJobs !== 0) problems.push(`${failedJobs} jobs in BullMQ's failed set`);
        const seconds = ((check.last?.getTime() ?? Date.now()) - start) / 1_000;
        const secondsTo95 = ((check.p95?.getTime() ?? Date.now()) - start) / 1_000;
        const cpu = cpuSplit(before, end.sample, windowMs, ticksPerSecond);
        const redisServers = primaryFigures(pairReadings(serversBefore, end.servers), {
          windowMs,
          tasks: end.finished,
        });
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
          windowMs,
          tasksInWindow: end.finished,
          cpuPerTask: cpuPerTask(cpu, windowMs, end.finished),
          redisServers,
          bound: describeBound(cpu, cores),
          groups: await groupFigures(store),
          problems,
        };
      };

      const idleFrom = await readServers();
      const idleStart = Date.now();
      await sleep(IDLE_MS);
      const redisIdle = primaryFigures(pairReadings(idleFrom, await readServers()), {
        windowMs: Date.now() - idleStart,
        tasks: 0,
      }).map(({ server, cores }) => ({ server, cores }));

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
        redisIdle,
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
      redis: layout,
      serviceEnv,
      tasksPerRound: options.tasks,
      inFlight: options.inFlight,
      rounds,
    };
  } finally {
    await Promise.allSettled(started.map(stopProcess));
    await Promise.allSettled(queues.map((queue) => queue.close()));
    probeRedis?.disconnect();
    for (const client of serverClients) client.disconnect();
    await db?.destroy().catch(() => undefined);
    await Promise.allSettled([redis?.stop(), cluster?.stop(), postgres?.stop()]);
  }
};
