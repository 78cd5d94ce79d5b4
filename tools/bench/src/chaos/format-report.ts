import type { ChaosResult } from './chaos-result.js';
import type { Offender, Sighting } from './reconcile.js';
import { formatTable } from './text-table.js';

const n = (value: number): string => value.toLocaleString('en-US');
const s = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

const describeSighting = (sighting: Sighting): string => {
  const parts: string[] = [];
  if (sighting.acceptedFor !== undefined) parts.push(`answered 202 for ${sighting.acceptedFor}`);
  if (sighting.row) {
    const error = sighting.row.error ? `, error ${JSON.stringify(sighting.row.error.slice(0, 120))}` : '';
    parts.push(
      `row ${sighting.row.status} after ${sighting.row.attempts} attempt(s) in batch ${sighting.row.batchId}${error}`,
    );
  } else {
    parts.push('no row');
  }
  if (sighting.failed)
    parts.push(
      `failed set: ${JSON.stringify(sighting.failed.reason.slice(0, 160))} after ${sighting.failed.attemptsMade} attempt(s)`,
    );
  if (sighting.job) {
    const job = sighting.job;
    const extra = [
      job.attemptsMade === undefined ? '' : `attemptsMade ${job.attemptsMade}`,
      job.stalledCounter === undefined ? '' : `stalled ${job.stalledCounter}×`,
      job.failedReason ? `reason ${JSON.stringify(job.failedReason.slice(0, 120))}` : '',
    ].filter(Boolean);
    parts.push(`BullMQ job ${job.state}${extra.length > 0 ? ` (${extra.join(', ')})` : ''}`);
  }
  return `${sighting.id}: ${parts.join('; ')}`;
};

const describeOffender = (offender: Offender): string =>
  [
    `${offender.kind.padEnd(10)} ${offender.ref ?? '(no ref)'} — ${offender.why}`,
    ...(offender.earlierAnswers ? [`             sent again after: ${offender.earlierAnswers.join(', ')}`] : []),
    ...offender.sightings.map((sighting) => `             ${describeSighting(sighting)}`),
  ].join('\n');

/**
 * The console report of a chaos run: the settings, the table of figures, the failed-set reasons,
 * crashes, up to `maxOffenders` offending tasks with everything seen of each, and the verdict.
 *
 * @example
 * console.log(formatChaosReport(result, { maxOffenders: 20, jsonPath: 'bench/results-chaos.json' }));
 */
export const formatChaosReport = (
  result: ChaosResult,
  options: { readonly maxOffenders: number; readonly jsonPath?: string },
): string => {
  const { counts, load, faults, timings } = result;
  const settings = result.settings.options;
  const records = faults.records.filter((record) => record.injected);
  const downOf = (kind: 'redis-restart' | 'pg-outage'): string =>
    records
      .filter((record) => record.kind === kind && record.downMs !== undefined)
      .map((record) => `back after ${s(record.downMs ?? 0)}`)
      .join(', ');
  const causes = Object.entries(load.indeterminateByCause)
    .map(([cause, count]) => `${cause} ${n(count ?? 0)}`)
    .join(', ');

  const rows: string[][] = [
    ['figure', 'value', 'detail'],
    ['accepted', n(counts.accepted), `of ${n(settings.tasks)} submitted tasks`],
    [
      'committed',
      n(counts.committed),
      `COMPLETED ${n(counts.committedCompleted)} · FAILED ${n(counts.committedFailed)}`,
    ],
    ['failed', n(counts.failed), "no row, in BullMQ's failed set"],
    ['lost', n(counts.lost), 'accepted, in neither'],
    ['duplicated', n(counts.duplicated), 'a second outcome for one task'],
    ['unexpected', n(counts.unexpected), 'never answered 202'],
    ...(counts.pending > 0 ? [['pending', n(counts.pending), 'still queued when the drain gave up']] : []),
    [
      'indeterminate',
      n(counts.indeterminate),
      counts.indeterminate === 0
        ? 'no request went unanswered'
        : `${causes}: committed ${n(counts.indeterminateCommitted)} · failed ${n(counts.indeterminateFailed)} · nowhere ${n(counts.indeterminateNowhere)}`,
    ],
    ['503 answers', n(load.answers503), `${n(load.tasksResentAfter503)} tasks sent again with the same refs`],
    ...(load.rejected > 0 ? [['rejected', n(load.rejected), 'answered neither 202 nor 503']] : []),
    [
      'worker SIGKILLs',
      n(faults.injected['worker-kill']),
      `of ${faults.planned['worker-kill']} planned, restarted after ${s(settings.restartAfterMs)}`,
    ],
    [
      'Redis restarts',
      n(faults.injected['redis-restart']),
      `SIGKILL, AOF appendfsync always; ${downOf('redis-restart') || 'none'}`,
    ],
    [
      'PostgreSQL outages',
      n(faults.injected['pg-outage']),
      `stopped ${s(settings.pgOutageMs)}; ${downOf('pg-outage') || 'none'}`,
    ],
    [
      'time to drain',
      s(timings.drainMs),
      timings.drained ? 'last answer → queue empty and counts still' : 'gave up: deadline passed',
    ],
    ['throughput', `${n(Math.round(timings.tasksPerSecond))}/s`, 'committed tasks, first request → drained'],
  ];

  const lines: string[] = [
    '',
    `Sluice chaos run — ${n(settings.tasks)} tasks at ${n(settings.rate)}/s, ${settings.perRequest} per request, ` +
      `${settings.workers} workers, seed ${settings.seed}`,
    `api and workers: ${Object.entries(settings.serviceEnv)
      .map(([name, value]) => `${name}=${value}`)
      .join(' ')}`,
    `  (LOCK_DURATION_MS and STALLED_INTERVAL_MS are short so that a killed worker's jobs return after about their sum)`,
    ...(result.machine
      ? [
          `machine: ${result.machine.cores} cores ${result.machine.cpuModel}, Node ${result.machine.node}, ` +
            `Redis ${result.machine.redis}, PostgreSQL ${result.machine.postgres}, code ${result.machine.commit}` +
            (result.machine.uncommitted.length > 0 ? ` + ${result.machine.uncommitted.length} uncommitted paths` : ''),
        ]
      : []),
    '',
    formatTable(rows, ['left', 'right', 'left']),
    '',
    `load ${s(timings.loadMs)} · ${n(load.requests)} requests · 202 latency p50 ${load.acceptLatencyMs?.p50 ?? '–'} ms, ` +
      `p95 ${load.acceptLatencyMs?.p95 ?? '–'} ms · most tasks behind schedule ${n(load.maxBacklog)} · ` +
      `redeliveries skipped by ON CONFLICT ${n(result.redeliveriesSkipped)} · total ${s(timings.totalMs)}`,
  ];
  if (result.failedReasons.length > 0) {
    lines.push('', 'failed-set reasons of accepted tasks without a row:');
    for (const { reason, count } of result.failedReasons.slice(0, 10))
      lines.push(`  ${n(count).padStart(7)} × ${reason}`);
  }
  const notInjected = faults.records.filter((record) => !record.injected);
  if (notInjected.length > 0) {
    lines.push('', 'faults not injected:');
    for (const record of notInjected)
      lines.push(`  ${record.kind} planned at +${s(record.plannedAtMs)}: ${record.detail ?? '?'}`);
  }
  if (result.crashes.length > 0) {
    lines.push('', 'services that exited by themselves (restarted after 1 s):');
    for (const crash of result.crashes) {
      lines.push(
        `  ${crash.service} pid ${crash.pid ?? '?'} at +${s(crash.atMs)}: code ${crash.code}, signal ${crash.signal}`,
      );
      for (const line of crash.logTail.split('\n').slice(-5)) lines.push(`      ${line.slice(0, 200)}`);
    }
  }
  if (load.rejectedSamples.length > 0) {
    lines.push('', 'rejections:');
    for (const sample of load.rejectedSamples.slice(0, 5))
      lines.push(`  ${sample.ref}: ${sample.status} ${sample.detail.slice(0, 200)}`);
  }
  if (result.offenders.length > 0) {
    const shown = result.offenders.slice(0, options.maxOffenders);
    lines.push('', `offending tasks (${shown.length} of ${n(result.offenders.length)}):`);
    for (const offender of shown) lines.push(`  ${describeOffender(offender)}`);
  }
  if (result.warnings.length > 0) {
    lines.push('', 'notes:');
    for (const warning of result.warnings) lines.push(`  • ${warning}`);
  }
  lines.push('');
  if (result.verdict === 'pass') {
    lines.push('PASS — every accepted task ended exactly once (lost 0, duplicated 0, unexpected 0)');
  } else {
    lines.push(`${result.verdict === 'fail' ? 'FAIL' : 'INVALID RUN'} — ${result.problems.join('; ')}`);
  }
  if (options.jsonPath !== undefined) lines.push(`results: ${options.jsonPath}`);
  if (result.logDir !== undefined) lines.push(`service logs: ${result.logDir}`);
  return lines.join('\n');
};
