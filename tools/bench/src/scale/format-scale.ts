import { formatTable } from '../chaos/text-table.js';
import { redisCeiling } from './primary-figures.js';
import type { Measurement, MeasurementKind, ScaleResult } from './run-scale.js';

const whole = (value: number): string => Math.round(value).toLocaleString('en-US');
const cores = (value: number): string => value.toFixed(2);

const HEADER = [
  'workers',
  'committed',
  'submit s',
  'peak waiting',
  'seconds',
  'tasks/s',
  'speed-up',
  'to 95 %',
  'tasks/s',
  'workers',
  'api',
  'redis',
  'postgres',
  'driver',
  'other',
  'busy',
  'dup rows',
  'skipped',
  'failed',
  'check',
];

const table = (result: ScaleResult, kind: MeasurementKind): string => {
  const base = result.rounds[0]?.[kind].perSecond ?? 0;
  const row = (workers: number, m: Measurement): ReadonlyArray<string> => [
    String(workers),
    whole(m.rows),
    m.submitSeconds.toFixed(1),
    kind === 'endToEnd' ? whole(m.peakWaiting) : '–',
    m.seconds.toFixed(1),
    whole(m.perSecond),
    base > 0 ? `${(m.perSecond / base).toFixed(2)}×` : '–',
    m.secondsTo95.toFixed(1),
    whole(m.perSecondTo95),
    cores(m.cpu.cores.workers),
    cores(m.cpu.cores.api),
    cores(m.cpu.cores.redis),
    cores(m.cpu.cores.postgres),
    cores(m.cpu.cores.driver),
    cores(m.cpu.cores.other),
    cores(m.cpu.machineBusyCores),
    String(m.rows - m.distinctIds),
    String(m.duplicatesSkipped),
    String(m.failedJobs),
    m.problems.length === 0 ? 'ok' : 'FAILED',
  ];
  const rows = [HEADER, ...result.rounds.map((round) => row(round.workers, round[kind]))];
  return formatTable(
    rows,
    HEADER.map(() => 'right'),
  );
};

const KINDS = [
  ['endToEnd', 'end to end'],
  ['drain', 'drain'],
] as const;

const REDIS_HEADER = ['workers', 'measurement', 'Redis', 'shards', 'scripts %', 'CPU µs/task', '% of a core', 'idle %'];

const idlePercent = (cores: number | undefined): string => (cores === undefined ? '–' : (cores * 100).toFixed(1));

/** One row per Redis server of each measurement: the one redis-server, or every primary. */
const redisTable = (result: ScaleResult): string => {
  const rows = result.rounds.flatMap((round) =>
    KINDS.flatMap(([kind, name]) =>
      round[kind].redisServers.map((server) => [
        String(round.workers),
        name,
        server.server,
        server.shards.length === 0 ? 'none' : server.shards.join(','),
        (server.scriptShare * 100).toFixed(1),
        server.cpuUsecPerTask.toFixed(2),
        (server.cores * 100).toFixed(1),
        idlePercent(round.redisIdle.find((idle) => idle.server === server.server)?.cores),
      ]),
    ),
  );
  return formatTable([REDIS_HEADER, ...rows], ['right', 'left', 'left', 'left', 'right', 'right', 'right', 'right']);
};

/** µs of CPU per task and, in brackets, the tasks/s at which that much fills one core. */
const perCore = (usec: number): string => `${usec.toFixed(1)} (${usec > 0 ? `${whole(1e6 / usec)}/s` : '–'})`;

/** Where each part's one core would fill, from its CPU per task; Redis by its busiest server. */
const ceilings = (m: Measurement): string => {
  const ceiling = redisCeiling(m.redisServers);
  const busiest = m.redisServers.find((server) => server.server === ceiling?.server);
  const redis =
    busiest === undefined
      ? 'Redis –'
      : `Redis ${perCore(busiest.cpuUsecPerTask)}${m.redisServers.length > 1 ? ` on ${busiest.server}, the busiest` : ''}`;
  return (
    `workers ${perCore(m.cpuPerTask.workers)} · api ${perCore(m.cpuPerTask.api)} · ` +
    `PostgreSQL ${perCore(m.cpuPerTask.postgres)} · ${redis}`
  );
};

/**
 * The scaling run as text: what it ran on, a table for each measurement (throughput, speed-up over
 * the first round, cores used by each part, the checks), then what bound each one.
 *
 * @example
 * console.log(formatScaleReport(result, { jsonPath: 'bench/results-scale.json' }));
 */
export const formatScaleReport = (result: ScaleResult, options: { readonly jsonPath: string }): string => {
  const { machine, rounds } = result;
  const redisLayout = result.redis.cluster
    ? `Cluster of ${result.redis.primaries} primaries, the queue in ${result.redis.shards} shards `
    : '';
  const settings = ['BATCH_SIZE', 'BATCH_CONCURRENCY', 'DEMO_WORK_MS']
    .map((name) => `${name}=${result.serviceEnv[name] ?? '?'}`)
    .join(' ');
  const bounds = (kind: MeasurementKind, name: string): ReadonlyArray<string> =>
    rounds.map((round) => `  ${round.workers} worker(s), ${name}: ${round[kind].bound.text}`);
  const failures = rounds.flatMap((round) =>
    (['endToEnd', 'drain'] as const).flatMap((kind) =>
      round[kind].problems.map(
        (problem) => `  ${round.workers} worker(s), ${kind === 'drain' ? 'drain' : 'end to end'} FAILED: ${problem}`,
      ),
    ),
  );
  return [
    '',
    `Scaling: ${whole(result.tasksPerRound)} tasks per measurement through POST /api/tasks/batch {"count": …}, ` +
      `${result.inFlight} requests in flight`,
    `Machine: ${machine.cores} cores (${machine.cpuModel}), ${whole(machine.memoryMb)} MB; Node ${machine.node}, ` +
      `Redis ${machine.redis} ${redisLayout}(AOF everysec), PostgreSQL ${machine.postgres} (fsync on); ${settings}; commit ${machine.commit}`,
    '',
    'End to end: submitted while the workers run; from the first submission to the last commit',
    table(result, 'endToEnd'),
    '',
    'Drain: submitted to a paused queue (submit s), then resumed; from the resume to the last commit',
    table(result, 'drain'),
    '',
    "submit s: first request to the api's last 202. peak waiting: most jobs waiting once the api had answered " +
      '(near 0: the workers kept up with the api). to 95 %: until 95 % had committed, leaving out the last groups, ' +
      'which leave on BATCH_TIMEOUT_MS. CPU columns: average cores busy until 95 % had committed (driver: this process, submitting and ' +
      'polling; other: the rest of the machine). dup rows: count(*) - count(DISTINCT id); skipped: redelivered ' +
      'tasks the commit found already written; failed: BullMQ failed set.',
    `Peak RSS of the largest worker: ${rounds.map((round) => `${round.workers} worker(s) ${round.workerPeakRssMb} MB`).join(', ')}.`,
    '',
    result.redis.cluster
      ? 'Redis, per primary: the shards whose slots it holds, its share of the script calls, its CPU per task of the whole stream, and the cores it kept busy'
      : 'Redis: its script calls, its CPU per task, and the cores it kept busy',
    redisTable(result),
    '',
    "Until 95 % had committed (the CPU columns' window). scripts %: EVALSHA/EVAL calls, reset (CONFIG RESETSTAT) at the start. " +
      "CPU µs/task: the redis-server's own CPU (INFO used_cpu_user + used_cpu_sys) over the tasks finished in the window, all " +
      'of them, so one core ÷ it is the tasks/s at which that server would be full. idle %: the same server for ' +
      "3 s before the round's first measurement, the api and workers up and nothing queued: polling, a cost per " +
      'second that the µs per task carry and that does not grow with the load.',
    '',
    'CPU per task until 95 % had committed, in µs, and the tasks/s at which it fills one core (workers: per worker core)',
    ...rounds.flatMap((round) =>
      KINDS.map(([kind, name]) => `  ${round.workers} worker(s), ${name}: ${ceilings(round[kind])}`),
    ),
    '',
    'Groups (from the batches rows): count, average size, released by timeout; average ms from first task to ' +
      'release, and from release to commit; commit statement p50/p95 ms',
    ...(['endToEnd', 'drain'] as const).flatMap((kind) =>
      rounds.map((round) => {
        const g = round[kind].groups;
        return (
          `  ${round.workers} worker(s), ${kind === 'drain' ? 'drain' : 'end to end'}: ${g.count} groups of ${g.averageSize.toFixed(1)}, ` +
          `${g.timeouts} by timeout; fill ${whole(g.fillMs)} ms, release to commit ${g.releaseToCommitMs.toFixed(1)} ms; ` +
          `commit ${g.commitP50Ms.toFixed(1)} / ${g.commitP95Ms.toFixed(1)} ms`
        );
      }),
    ),
    '',
    'What bound each measurement:',
    ...bounds('endToEnd', 'end to end'),
    ...bounds('drain', 'drain'),
    ...failures,
    '',
    `JSON: ${options.jsonPath}`,
  ].join('\n');
};
