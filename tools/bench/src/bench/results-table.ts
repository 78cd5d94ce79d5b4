/**
 * The one table `npm run bench` prints (and docs/performance.md holds): a row per figure with its median,
 * its min–max over repeats, the number of repeats and a note. Pure: rows of strings, laid out as
 * plain text by `formatTable` or as Markdown by {@link formatMarkdownTable}.
 */
import type { BenchResults, CommitStrategyName, Consumer, CpuPerTask, CpuSplit } from './bench-result.js';
import { isPlainBullmq, PROCESS_KINDS, WORKING_KINDS } from './bench-result.js';
import type { Check } from './done-when.js';
import {
  formatCount,
  formatMb,
  formatMicros,
  formatMs,
  formatRange,
  formatRatio,
  formatShare,
} from './format-figures.js';
import type { CommandCost } from './redis-command-stats.js';
import type { Spread } from './statistics.js';

export type Row = ReadonlyArray<string>;

/** Header of {@link resultRows}; the figure columns are right-aligned. */
export const RESULT_HEADER: Row = Object.freeze(['scenario', 'measure', 'median', 'min–max', 'n', 'note']);
export const RESULT_ALIGN = Object.freeze(['left', 'left', 'right', 'right', 'right', 'left'] as const);

const STRATEGY_LABELS: Readonly<Record<CommitStrategyName, string>> = {
  'single-row': 'single INSERTs, autocommit',
  unnest: 'one group write (unnest, Sluice)',
  copy: 'COPY + INSERT…SELECT',
  'json-recordset': 'jsonb_to_recordset',
};

const CONSUMER_LABELS: Readonly<Record<Consumer, string>> = {
  'sluice-1': 'Sluice, 1 worker',
  'sluice-2': 'Sluice, 2 workers',
  'bullmq-noop': 'BullMQ worker, no-op',
  'bullmq-insert': 'BullMQ worker, 1 INSERT/job',
};

/**
 * `worker 0.98 · redis 0.71 · postgres 0.22`: cores per kind of process, busiest first, those
 * under 0.01 left out.
 *
 * @example
 * formatCpuSplit({ worker: 0.98, redis: 0.71 }); // 'cores: worker 0.98 · redis 0.71'
 */
export const formatCpuSplit = (cpu: CpuSplit): string => {
  const parts = PROCESS_KINDS.flatMap((kind) => {
    const cores = cpu[kind];
    return cores === undefined || cores < 0.005 ? [] : [{ kind, cores }];
  })
    .sort((a, b) => b.cores - a.cores)
    .map(({ kind, cores }) => `${kind} ${cores.toFixed(2)}`);
  return parts.length === 0 ? '' : `cores: ${parts.join(' · ')}`;
};

/**
 * `redis 90 · worker 75 · api 45 · postgres 20`: CPU µs per task of each working process,
 * costliest first, those under 0.5 µs (an idle PostgreSQL beside the no-op worker) left out.
 *
 * @example
 * formatCpuPerTask({ worker: 75.2, redis: 90.4 }); // 'redis 90 · worker 75'
 */
export const formatCpuPerTask = (perTask: CpuPerTask): string =>
  WORKING_KINDS.flatMap((kind) => {
    const micros = perTask[kind];
    return micros === undefined || micros < 0.5 ? [] : [{ kind, micros }];
  })
    .sort((a, b) => b.micros - a.micros)
    .map(({ kind, micros }) => `${kind} ${formatCount(micros)}`)
    .join(' · ');

/**
 * `evalsha 2.00 calls 80 µs · xadd 1.00 calls 3 µs`: what Redis ran per task, command by command,
 * in the order given.
 *
 * @example
 * formatCommandCosts([{ command: 'evalsha', callsPerTask: 2, usecPerTask: 80.4 }]); // 'evalsha 2.00 calls 80 µs'
 */
export const formatCommandCosts = (costs: ReadonlyArray<CommandCost>): string =>
  costs
    .map((cost) => `${cost.command} ${cost.callsPerTask.toFixed(2)} calls ${formatMicros(cost.usecPerTask)}`)
    .join(' · ');

/** How the bench fed a plain BullMQ worker: a job per task, added by itself, not the api's parcels. */
const benchFeedNote = (tasksPerAdd: number, inFlight: number): string =>
  `a job per task, addBulk of ${formatCount(tasksPerAdd)} × ${inFlight} in flight`;

const figureRow = (
  scenario: string,
  measure: string,
  spread: Spread,
  format: (value: number) => string,
  note = '',
): Row => [scenario, measure, format(spread.median), formatRange(spread, format), String(spread.n), note];

/**
 * The rows of the results table, header first, for the scenarios that ran.
 *
 * @example
 * console.log(formatTable(resultRows(results), RESULT_ALIGN));
 */
export const resultRows = (
  results: Pick<BenchResults, 'commit' | 'throughput' | 'latency' | 'http' | 'memory' | 'types' | 'bulk'>,
): ReadonlyArray<Row> => {
  const rows: Row[] = [RESULT_HEADER];
  const { commit, throughput, latency, http, memory, types, bulk } = results;

  if (commit) {
    const scenario = `commit of ${commit.groupSize}`;
    for (const strategy of commit.strategies) {
      rows.push(
        figureRow(
          scenario,
          STRATEGY_LABELS[strategy.name],
          strategy.msPerGroup,
          formatMs,
          `p95 ${formatMs(strategy.p95Ms)}; ${strategy.roundTrips} round trip(s)`,
        ),
      );
    }
    rows.push([scenario, 'single INSERTs ÷ group write', formatRatio(commit.speedup), '', '', 'of the medians']);
  }

  if (throughput) {
    const scenario = `end to end, ${formatCount(throughput.tasks)}`;
    // Sluice is fed by the api's generator, the plain BullMQ workers by the bench: say which by each rate.
    const feedOf = (consumer: Consumer): string =>
      isPlainBullmq(consumer)
        ? benchFeedNote(throughput.tasksPerAdd, throughput.requestsInFlight)
        : `via the api's generator, ${throughput.requestsInFlight} requests`;
    for (const [consumer, label] of Object.entries(CONSUMER_LABELS) as ReadonlyArray<[Consumer, string]>) {
      const spread = throughput.tasksPerSecond[consumer];
      if (spread === undefined) continue;
      const perTask = throughput.cpuMicrosPerTask[consumer];
      const cpu = [
        feedOf(consumer),
        formatCpuSplit(throughput.cpu[consumer] ?? {}),
        perTask === undefined ? '' : `${formatCount(perTask.median)} µs CPU/task`,
      ]
        .filter((part) => part !== '')
        .join('; ');
      rows.push(figureRow(scenario, `${label}, tasks/s`, spread, formatCount, cpu));
    }
    rows.push(figureRow(scenario, 'Sluice 1 worker ÷ no-op', throughput.sluiceVsNoop, formatRatio, 'per repeat'));
    rows.push(
      figureRow(scenario, 'Sluice 1 worker ÷ per-job INSERT', throughput.sluiceVsPerJob, formatRatio, 'per repeat'),
    );
  }

  if (latency) {
    for (const level of latency.levels) {
      const scenario = `latency at ${formatCount(level.rate)}/s`;
      const flushes = `groups released full: ${formatShare(level.sizeFlushShare.median)}`;
      // A load that fell behind measured a lower rate than its row says: say so beside it.
      const behind =
        level.achievedRate.min < 0.95 * level.rate ? `; only ${formatCount(level.achievedRate.min)}/s accepted` : '';
      rows.push(figureRow(scenario, 'p50 submission → commit', level.p50Ms, formatMs, flushes));
      rows.push(
        figureRow(
          scenario,
          'p95 submission → commit',
          level.p95Ms,
          formatMs,
          `accepted ${formatCount(level.achievedRate.median)}/s${behind}`,
        ),
      );
      rows.push(figureRow(scenario, 'p99 submission → commit', level.p99Ms, formatMs));
    }
  }

  if (http) {
    rows.push(
      figureRow(
        'HTTP submission',
        `POST /api/tasks, ${http.singleConnections} connections, req/s`,
        http.singleRequestsPerSecond,
        formatCount,
        http.errors > 0 ? `${http.errors} errors` : '',
      ),
    );
    rows.push(
      figureRow(
        'HTTP submission',
        `POST /api/tasks/batch of ${formatCount(http.bulkTasksPerRequest)}, tasks/s`,
        http.bulkTasksPerSecond,
        formatCount,
      ),
    );
  }

  if (memory) {
    for (const level of memory.levels) {
      const scenario = `memory, ${formatCount(level.tasks)} queued`;
      rows.push(figureRow(scenario, 'api peak RSS', level.apiPeakMb, formatMb));
      rows.push(figureRow(scenario, `worker peak RSS (highest of ${memory.workers})`, level.workerPeakMb, formatMb));
    }
  }

  if (types) {
    const scenario = `task types, ${formatCount(types.tasks)}`;
    const underLoad = 'under sustained load, 1 worker';
    rows.push(figureRow(scenario, '1 type, tasks/s', types.oneTasksPerSecond, formatCount, underLoad));
    rows.push(
      figureRow(
        scenario,
        `${types.types} types, tasks/s`,
        types.manyTasksPerSecond,
        formatCount,
        `${underLoad}; ${formatCount(types.manyMeanGroupSize.median)} tasks a group`,
      ),
    );
    rows.push(figureRow(scenario, `${types.types} types ÷ 1 type`, types.manyVsOne, formatRatio, 'per repeat'));
    rows.push([
      scenario,
      'groups released by timeout under load',
      formatCount(types.timeoutsUnderLoad),
      '',
      String(types.runs.length),
      'the most of any run',
    ]);
  }

  if (bulk) {
    const scenario = `bulk, ${formatCount(bulk.tasks)} (${formatCount(bulk.tasksPerRequest)} a request, ${bulk.requestsInFlight} in flight)`;
    // The no-op worker is fed a job per task by the bench, not parcels by the api: say so by its rate.
    const feedOf = (consumer: Consumer): string =>
      isPlainBullmq(consumer) ? `${benchFeedNote(bulk.tasksPerRequest, bulk.requestsInFlight)}; ` : '';
    for (const [consumer, label] of Object.entries(CONSUMER_LABELS) as ReadonlyArray<[Consumer, string]>) {
      const rate = bulk.tasksPerSecond[consumer];
      if (rate === undefined) continue;
      rows.push(
        figureRow(
          scenario,
          `${label}, tasks/s`,
          rate,
          formatCount,
          `${feedOf(consumer)}${formatCpuSplit(bulk.cpu[consumer] ?? {})}`,
        ),
      );
      const cpu = bulk.cpuMicrosPerTask[consumer];
      if (cpu !== undefined)
        rows.push(
          figureRow(
            scenario,
            `${label}, CPU per task`,
            cpu,
            formatMicros,
            formatCpuPerTask(bulk.cpuPerTask[consumer] ?? {}),
          ),
        );
      const redis = bulk.redisMicrosPerTask[consumer];
      if (redis !== undefined)
        rows.push(
          figureRow(
            scenario,
            `${label}, Redis CPU per task`,
            redis,
            formatMicros,
            formatCommandCosts((bulk.redisCommands[consumer] ?? []).slice(0, 3)),
          ),
        );
    }
    rows.push(figureRow(scenario, 'Sluice 1 worker ÷ no-op', bulk.sluiceVsNoop, formatRatio, 'per repeat'));
  }
  return rows;
};

/** Header of {@link checkRows}. */
export const CHECK_HEADER: Row = Object.freeze(['done when', 'target', 'measured', '']);

/** The Done-when lines as rows, header first. */
export const checkRows = (checks: ReadonlyArray<Check>): ReadonlyArray<Row> => [
  CHECK_HEADER,
  ...checks.map((check): Row => [check.criterion, check.target, check.measured, check.status]),
];

/**
 * The same rows as a Markdown table, for docs/performance.md. A `|` inside a cell is escaped.
 *
 * @example
 * formatMarkdownTable([['a', 'b'], ['1', '2']], ['left', 'right']);
 * // '| a | b |\n| --- | ---: |\n| 1 | 2 |'
 */
export const formatMarkdownTable = (rows: ReadonlyArray<Row>, align: ReadonlyArray<'left' | 'right'> = []): string => {
  const [header, ...body] = rows;
  if (header === undefined) return '';
  const cell = (text: string): string => text.replaceAll('|', '\\|');
  const line = (row: Row): string => `| ${header.map((_, index) => cell(row[index] ?? '')).join(' | ')} |`;
  const rule = `| ${header.map((_, index) => (align[index] === 'right' ? '---:' : '---')).join(' | ')} |`;
  return [line(header), rule, ...body.map(line)].join('\n');
};
