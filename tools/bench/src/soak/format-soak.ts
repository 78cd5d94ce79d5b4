/** The soak's console output: one progress line per sample, then the report. */
import { formatTable } from '../chaos/text-table.js';
import type { LogErrors } from './judge-soak.js';
import type { SoakResult } from './soak-result.js';
import { type SoakSample, tablesMbOf } from './soak-sample.js';
import type { PartitionSummary, Typical } from './soak-summary.js';

const n = (value: number): string => Math.round(value).toLocaleString('en-US');
const mb = (value: number | undefined): string => (value === undefined ? '–' : value.toFixed(value >= 100 ? 0 : 1));
const ms = (value: number | undefined): string => (value === undefined ? '–' : value.toFixed(0));
const s = (millis: number | undefined): string => (millis === undefined ? '–' : (millis / 1000).toFixed(2));
const slope = (value: number | undefined): string =>
  value === undefined ? '–' : `${value >= 0 ? '+' : ''}${value.toFixed(2)}`;

/** `+1m20s`. */
export const elapsed = (millis: number): string => {
  const seconds = Math.floor(millis / 1000);
  return `+${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`;
};

/** `api`, `w1`, `w2`: short enough for a column header. */
const shortName = (name: string): string => name.replace(/^worker-/, 'w');

const partitionsNow = (sample: SoakSample): string =>
  `${sample.tasks?.partitions ?? '–'}/${sample.batches?.partitions ?? '–'}`;

/**
 * The line printed as a sample is taken.
 *
 * @example
 * formatProgress(sample, { errors: 0, logErrors: [], crashes: 0 });
 * // '+1m20s accepted 32,000 · queued 120 · RSS api 95.1 w1 130 w2 128 MB · heap … · errors 0'
 */
export const formatProgress = (
  sample: SoakSample,
  trouble: { readonly errors: number; readonly logErrors: ReadonlyArray<LogErrors>; readonly crashes: number },
): string => {
  const each = (field: 'rssMb' | 'heapMb'): string =>
    sample.processes.map((process) => `${shortName(process.name)} ${mb(process[field])}`).join(' ');
  const logged = trouble.logErrors.reduce((sum, log) => sum + log.count, 0);
  const created = (sample.tasks?.created ?? 0) + (sample.batches?.created ?? 0);
  const dropped = (sample.tasks?.dropped ?? 0) + (sample.batches?.dropped ?? 0);
  return [
    `${elapsed(sample.atMs)} accepted ${n(sample.accepted)}`,
    `queued ${sample.queued === undefined ? '–' : n(sample.queued)}`,
    `RSS ${each('rssMb')} MB`,
    `heap ${each('heapMb')} MB`,
    `redis ${mb(sample.redisMb)} MB`,
    `tables ${mb(tablesMbOf(sample))} MB`,
    `partitions tasks/batches ${partitionsNow(sample)} (+${created} −${dropped})`,
    `lag p99 ${ms(sample.lagMs)} ms`,
    `latency p95 ${s(sample.latencyP95Ms)} s`,
    `errors ${trouble.errors + logged + trouble.crashes}`,
  ].join(' · ');
};

const samplesTable = (samples: ReadonlyArray<SoakSample>, warmupMs: number): string => {
  const names = [...new Set(samples.flatMap((sample) => sample.processes.map((process) => process.name)))];
  const header = [
    't',
    'accepted',
    'queued',
    ...names.flatMap((name) => [`${shortName(name)} RSS`, `${shortName(name)} heap`]),
    'redis MB',
    'tasks MB',
    'batches MB',
    'partitions',
    'lag ms',
    'p95 s',
  ];
  const rows = samples.map((sample) => {
    const of = (name: string) => sample.processes.find((process) => process.name === name);
    const table = (reading: SoakSample['tasks']): string =>
      reading === undefined ? '–' : mb(reading.tableMb + reading.indexMb);
    return [
      `${elapsed(sample.atMs)}${sample.atMs < warmupMs ? ' w' : ''}`,
      n(sample.accepted),
      sample.queued === undefined ? '–' : n(sample.queued),
      ...names.flatMap((name) => [mb(of(name)?.rssMb), mb(of(name)?.heapMb)]),
      mb(sample.redisMb),
      table(sample.tasks),
      table(sample.batches),
      partitionsNow(sample),
      ms(sample.lagMs),
      s(sample.latencyP95Ms),
    ];
  });
  return formatTable(
    [header, ...rows],
    header.map((_, index) => (index === 0 ? 'left' : 'right')),
  );
};

const growthTable = (result: SoakResult): string =>
  formatTable(
    [
      ['after warm-up', 'first MB', 'last MB', 'MB/min', 'bound', ''],
      ...result.summary.growth.map((finding) => [
        finding.series,
        mb(finding.firstMb),
        mb(finding.lastMb),
        slope(finding.slopeMbPerMinute),
        finding.bound,
        finding.boundMbPerMinute === undefined && finding.ok ? '' : finding.ok ? 'ok' : 'GREW',
      ]),
    ],
    ['left', 'right', 'right', 'right', 'left', 'left'],
  );

const typical = (figure: Typical, unit: (value: number | undefined) => string): string =>
  `median ${unit(figure.median)}, max ${unit(figure.max)}`;

const partitions = (summary: PartitionSummary): string =>
  `${summary.first} → ${summary.last} (${summary.min}–${summary.max}), ${summary.created} made, ${summary.dropped} dropped`;

/**
 * The report printed at the end: the settings, a row per sample (`w` marks the warm-up), each
 * series' growth against its bound, the other figures, and the verdict with every failure.
 *
 * @example
 * console.log(formatSoakReport(result, { jsonPath: 'bench/results-soak.json' }));
 */
export const formatSoakReport = (result: SoakResult, options: { readonly jsonPath?: string } = {}): string => {
  const { settings, summary } = result;
  const warmupMs = settings.warmupMinutes * 60_000;
  const retained = summary.retained;
  const lines = [
    `soak: ${settings.minutes} min at ${n(settings.rate)} tasks/s, ${settings.workers} workers, requests of ${settings.perRequest}; ` +
      `warm-up ${settings.warmupMinutes} min; PARTITION_INTERVAL ${settings.partitionInterval ?? '(default)'}, ` +
      `TASK_RETENTION ${settings.retention ?? '(default)'}`,
    `machine: ${result.machine.cores} cores, ${result.machine.cpuModel}, Node ${result.machine.node}, Redis ${result.machine.redis}, ` +
      `PostgreSQL ${result.machine.postgres}, commit ${result.machine.commit}`,
    '',
    samplesTable(result.samples, warmupMs),
    '',
    growthTable(result),
    '',
    `load: ${n(summary.load.requests)} requests, ${n(summary.load.acceptedTasks)} tasks accepted ` +
      `(${n(summary.acceptedPerSecond)}/s), ${summary.load.failedRequests} failed; most due and unsent ${n(summary.load.maxBacklog)}`,
    `drain: ${summary.drained ? `${(summary.drainMs / 1000).toFixed(1)} s` : 'did not finish'}`,
    `latency p95 (submission → commit), per sample after warm-up: ${typical(summary.latencyP95Ms, s)} s`,
    `event-loop lag p99, worst process per sample after warm-up: ${typical(summary.lagP99Ms, ms)} ms`,
    `partitions of tasks: ${partitions(summary.tasks)}`,
    `partitions of batches: ${partitions(summary.batches)}`,
    retained === undefined
      ? 'retained tasks: not checked'
      : `retained tasks: read ${n(retained.checked)} of the ${n(retained.eligible)} sampled tasks submitted after ` +
        `${retained.since} (${n(retained.sampled)} sampled): ${retained.missing.length} not COMPLETED`,
    `services: ${summary.crashes.length} unexpected exits; error lines logged: ${summary.logErrors
      .map((log) => `${log.service} ${log.count}`)
      .join(', ')}`,
    '',
    result.verdict === 'pass'
      ? 'PASS: nothing grew past its bound after warm-up, and nothing failed'
      : ['FAIL:', ...result.failures.map((failure) => `  - ${failure}`)].join('\n'),
    ...(result.logDir === undefined ? [] : [`service logs: ${result.logDir}`]),
    ...(options.jsonPath === undefined ? [] : [`JSON: ${options.jsonPath}`]),
  ];
  return lines.join('\n');
};
