import { formatTable } from '../chaos/text-table.js';
import type { ScaleResult } from './run-scale.js';

const whole = (value: number): string => Math.round(value).toLocaleString('en-US');
const cores = (value: number): string => value.toFixed(2);

/**
 * The scaling run as text: what it ran on, one row per round (throughput, speed-up over the first
 * round, cores used by each part, the checks), then what bound each round.
 *
 * @example
 * console.log(formatScaleReport(result, { jsonPath: 'bench/results-scale.json' }));
 */
export const formatScaleReport = (result: ScaleResult, options: { readonly jsonPath: string }): string => {
  const { machine, rounds } = result;
  const base = rounds[0]?.perSecond ?? 0;
  const rows = [
    ['workers', 'committed', 'seconds', 'tasks/s', 'speed-up', 'to 99 %', 'tasks/s', 'workers', 'api', 'redis', 'postgres', 'driver', 'other', 'busy', 'dup rows', 'skipped', 'failed', 'peak RSS', 'check'],
    ...rounds.map((round) => [
      String(round.workers),
      whole(round.rows),
      round.seconds.toFixed(1),
      whole(round.perSecond),
      base > 0 ? `${(round.perSecond / base).toFixed(2)}×` : '–',
      round.secondsTo99.toFixed(1),
      whole(round.perSecondTo99),
      cores(round.cpu.cores.workers),
      cores(round.cpu.cores.api),
      cores(round.cpu.cores.redis),
      cores(round.cpu.cores.postgres),
      cores(round.cpu.cores.driver),
      cores(round.cpu.cores.other),
      cores(round.cpu.machineBusyCores),
      String(round.rows - round.distinctIds),
      String(round.duplicatesSkipped),
      String(round.failedJobs),
      `${round.workerPeakRssMb} MB`,
      round.ok ? 'ok' : 'FAILED',
    ]),
  ];
  const settings = ['BATCH_SIZE', 'BATCH_CONCURRENCY', 'DEMO_WORK_MS']
    .map((name) => `${name}=${result.serviceEnv[name] ?? '?'}`)
    .join(' ');
  return [
    '',
    `Scaling: ${whole(result.tasksPerRound)} tasks per round, submitted through POST /api/tasks/batch, ` +
      'timed from the first submission to the last commit',
    `Machine: ${machine.cores} cores (${machine.cpuModel}), ${whole(machine.memoryMb)} MB; Node ${machine.node}, ` +
      `Redis ${machine.redis} (AOF everysec), PostgreSQL ${machine.postgres} (fsync on); ${settings}; commit ${machine.commit}`,
    '',
    formatTable(rows, rows[0]?.map(() => 'right') ?? []),
    '',
    'seconds and tasks/s: to the last commit; to 99 %: until 99 % had committed, without the last groups, which ' +
      'leave on BATCH_TIMEOUT_MS. CPU columns: average cores busy over the round (driver: this process, submitting and polling; ' +
      'other: the rest of the machine). dup rows: count(*) - count(DISTINCT id) in tasks; ' +
      'skipped: redelivered tasks the commit found already written; failed: BullMQ failed set; peak RSS: the largest worker.',
    '',
    'What bound each round:',
    ...rounds.map((round) => `  ${round.workers} worker(s): ${round.bound.text}`),
    ...rounds.flatMap((round) => round.problems.map((problem) => `  ${round.workers} worker(s) FAILED: ${problem}`)),
    '',
    `JSON: ${options.jsonPath}`,
  ].join('\n');
};
