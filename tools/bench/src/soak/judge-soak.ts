/**
 * The soak's verdict: what grew after the warm-up and by how much against its bound, and every
 * other reason the run fails. Pure: the run gathers the evidence, this decides.
 */
import { median } from '../bench/statistics.js';
import { describeBound, GROWTH_BOUNDS, type GrowthBound, slopeBound, tablesBound } from './growth-bounds.js';
import { type Point, slopeOf } from './least-squares.js';
import { MIN_JUDGED_MS } from './soak-options.js';
import { type SoakSample, tablesMbOf } from './soak-sample.js';

/** What the load client did. */
export interface LoadSummary {
  /** `POST /api/tasks/batch` requests sent. */
  readonly requests: number;
  /** Tasks the api answered 202 for. */
  readonly acceptedTasks: number;
  /** Requests not answered 202 for all their tasks: refused, cut off, or unanswered. */
  readonly failedRequests: number;
  /** The first few failures, as `503: {…}` or `no answer: …`. */
  readonly failureSamples: ReadonlyArray<string>;
  /** The most tasks that were due but not yet sent (the client or the api fell behind). */
  readonly maxBacklog: number;
}

/** A service that exited without being told to. */
export interface CrashSummary {
  readonly service: string;
  /** ms since the load began (negative: while starting). */
  readonly atMs: number;
  readonly code: number | null;
  readonly signal: string | null;
}

/** Error-level lines one service logged. */
export interface LogErrors {
  readonly service: string;
  readonly count: number;
  /** The first few, cut to a few hundred characters. */
  readonly first: ReadonlyArray<string>;
}

/** The check that every sampled task still within the retention reads COMPLETED. */
export interface RetainedCheck {
  /** Tasks submitted after this (ISO time) had to be readable. */
  readonly since: string;
  /** Tasks in the run's sample (the first of each request, thinned evenly on long runs). */
  readonly sampled: number;
  /** Sampled tasks submitted after `since`. */
  readonly eligible: number;
  /** Of those, the ones read (at most a few thousand, spread evenly). */
  readonly checked: number;
  readonly missing: ReadonlyArray<{ readonly id: string; readonly submittedAt: string; readonly found: string }>;
}

export interface SoakEvidence {
  readonly samples: ReadonlyArray<SoakSample>;
  /** Tasks per second asked for. */
  readonly rate: number;
  /** How long the load ran, ms. */
  readonly loadMs: number;
  readonly warmupMs: number;
  /** The services' PARTITION_INTERVAL and TASK_RETENTION in effect (their defaults when unset). */
  readonly intervalSeconds: number;
  readonly retentionSeconds: number;
  readonly load: LoadSummary;
  readonly crashes: ReadonlyArray<CrashSummary>;
  readonly logErrors: ReadonlyArray<LogErrors>;
  readonly retained: RetainedCheck | undefined;
  /** Whether the queue emptied after the load, within `drainTimeoutMs`. */
  readonly drained: boolean;
  readonly drainTimeoutMs: number;
}

/** One series' growth after the warm-up. */
export interface GrowthFinding {
  /** `api RSS`, `worker-2 heap`, `Redis used_memory`, `tables`. */
  readonly series: string;
  /** Readings after the warm-up, and samples taken then. */
  readonly readings: number;
  readonly samples: number;
  readonly firstMb: number | undefined;
  readonly lastMb: number | undefined;
  readonly slopeMbPerMinute: number | undefined;
  /** The slope it may not exceed; undefined when it is not judged. */
  readonly boundMbPerMinute: number | undefined;
  /** The bound written out, or why the series is not judged. */
  readonly bound: string;
  readonly ok: boolean;
}

export interface SoakJudgement {
  readonly verdict: 'pass' | 'fail';
  /** Each reason the run failed, in words that name what and by how much. */
  readonly failures: ReadonlyArray<string>;
  readonly growth: ReadonlyArray<GrowthFinding>;
}

/** Below this share of the tasks asked for, the load did not run at the stated rate. */
const MIN_LOAD_SHARE = 0.95;
/** Failed requests and log lines named in a failure. */
const NAMED = 3;

const mb = (value: number): string => value.toFixed(value >= 10 ? 1 : 2);
/** A span in the unit that reads best: `3.0 min`, `2.5 h`, `8.0 d`. */
const span = (ms: number): string =>
  ms >= 86_400_000
    ? `${(ms / 86_400_000).toFixed(1)} d`
    : ms >= 3_600_000
      ? `${(ms / 3_600_000).toFixed(1)} h`
      : `${(ms / 60_000).toFixed(1)} min`;
const at = (ms: number): string =>
  ms < 0
    ? 'while starting'
    : `at +${Math.floor(ms / 60_000)}m${String(Math.floor((ms % 60_000) / 1000)).padStart(2, '0')}s`;

/** A series' readings as points (x in minutes since the load began). */
const pointsOf = (
  samples: ReadonlyArray<SoakSample>,
  read: (sample: SoakSample) => number | undefined,
): ReadonlyArray<Point> =>
  samples.flatMap((sample) => {
    const y = read(sample);
    return y === undefined ? [] : [{ x: sample.atMs / 60_000, y }];
  });

/** How fast a series grows while it grows: the median of its rising steps, MB a minute. */
const risingRate = (points: ReadonlyArray<Point>): number => {
  const rises = points.slice(1).flatMap((point, index) => {
    const before = points[index];
    if (before === undefined || point.x === before.x) return [];
    const rate = (point.y - before.y) / (point.x - before.x);
    return rate > 0 ? [rate] : [];
  });
  return rises.length === 0 ? 0 : median(rises);
};

const judgeSeries = (
  series: string,
  samples: ReadonlyArray<SoakSample>,
  read: (sample: SoakSample) => number | undefined,
  bound: GrowthBound | string,
): GrowthFinding => {
  const points = pointsOf(samples, read);
  const first = samples[0];
  const last = samples.at(-1);
  const minutes = first === undefined || last === undefined ? 0 : (last.atMs - first.atMs) / 60_000;
  const slope = points.length >= 3 ? slopeOf(points) : undefined;
  const base = {
    series,
    readings: points.length,
    samples: samples.length,
    firstMb: points[0]?.y,
    lastMb: points.at(-1)?.y,
    slopeMbPerMinute: slope,
  };
  if (typeof bound === 'string') return { ...base, boundMbPerMinute: undefined, bound, ok: true };
  if (slope === undefined) {
    return {
      ...base,
      boundMbPerMinute: undefined,
      bound: `read in ${points.length} of ${samples.length} samples after warm-up; 3 are needed`,
      ok: false,
    };
  }
  const limit = slopeBound(bound, minutes);
  return { ...base, boundMbPerMinute: limit, bound: describeBound(bound, minutes), ok: slope <= limit };
};

/** Process names in the order they first appear. */
const processNames = (samples: ReadonlyArray<SoakSample>): ReadonlyArray<string> => [
  ...new Set(samples.flatMap((sample) => sample.processes.map((process) => process.name))),
];

const processValue =
  (name: string, field: 'rssMb' | 'heapMb') =>
  (sample: SoakSample): number | undefined =>
    sample.processes.find((process) => process.name === name)?.[field];

/**
 * The tables grow by design until rows start leaving: a partition goes once all of it is older
 * than the retention, so the size levels off retention + one interval after the load began.
 * They are judged from then (or from the end of the warm-up, if later), when at least one more
 * interval of load follows, so that a partition should have been dropped within the window.
 */
const judgeTables = (evidence: SoakEvidence): GrowthFinding => {
  const steadyFromMs = Math.max(evidence.warmupMs, (evidence.retentionSeconds + evidence.intervalSeconds) * 1000);
  const needMs = Math.max(evidence.intervalSeconds * 1000, MIN_JUDGED_MS);
  const judged = evidence.samples.filter((sample) => sample.atMs >= steadyFromMs);
  if (evidence.loadMs - steadyFromMs < needMs) {
    const after = evidence.samples.filter((sample) => sample.atMs >= evidence.warmupMs);
    return judgeSeries(
      'tables',
      after,
      tablesMbOf,
      `not judged: they grow by design for retention + interval (${span((evidence.retentionSeconds + evidence.intervalSeconds) * 1000)}), then need ` +
        `${span(needMs)} more; the run had ${span(evidence.loadMs)}`,
    );
  }
  const ingest = risingRate(pointsOf(evidence.samples, tablesMbOf));
  return judgeSeries('tables', judged, tablesMbOf, tablesBound(ingest, evidence.intervalSeconds));
};

/**
 * Judges a soak run: after the warm-up, every process's RSS and heap, Redis's used_memory and
 * (once they should have levelled off) the tables' size must grow no faster than their bound;
 * and no request may fail, no service exit, no error be logged, the load keep its rate, the
 * queue drain, and every sampled task still within the retention read COMPLETED.
 *
 * @example
 * const { verdict, failures } = judgeSoak(evidence);
 */
export const judgeSoak = (evidence: SoakEvidence): SoakJudgement => {
  const after = evidence.samples.filter((sample) => sample.atMs >= evidence.warmupMs);
  const growth: GrowthFinding[] = [];
  for (const name of processNames(evidence.samples)) {
    growth.push(judgeSeries(`${name} RSS`, after, processValue(name, 'rssMb'), GROWTH_BOUNDS.rss));
    growth.push(judgeSeries(`${name} heap`, after, processValue(name, 'heapMb'), GROWTH_BOUNDS.heap));
  }
  growth.push(judgeSeries('Redis used_memory', after, (sample) => sample.redisMb, GROWTH_BOUNDS.redis));
  growth.push(judgeTables(evidence));

  const failures: string[] = [];
  for (const finding of growth) {
    if (finding.ok) continue;
    failures.push(
      finding.slopeMbPerMinute === undefined
        ? `${finding.series} could not be judged: ${finding.bound}`
        : `${finding.series} grew ${mb(finding.slopeMbPerMinute)} MB/min after warm-up (bound ${finding.bound})`,
    );
  }

  const { load } = evidence;
  if (load.failedRequests > 0) {
    failures.push(
      `${load.failedRequests} of ${load.requests} requests failed: ${load.failureSamples.slice(0, NAMED).join('; ')}`,
    );
  }
  const asked = (evidence.rate * evidence.loadMs) / 1000;
  if (load.acceptedTasks < MIN_LOAD_SHARE * asked) {
    failures.push(
      `the load reached ${Math.round(load.acceptedTasks / (evidence.loadMs / 1000))} tasks/s of the ${evidence.rate} asked for ` +
        `(${load.acceptedTasks} of ${Math.round(asked)} tasks; up to ${load.maxBacklog} were due and not yet sent)`,
    );
  }
  for (const crash of evidence.crashes) {
    failures.push(`${crash.service} exited by itself ${at(crash.atMs)} (code ${crash.code}, signal ${crash.signal})`);
  }
  for (const logged of evidence.logErrors) {
    if (logged.count === 0) continue;
    failures.push(
      `${logged.service} logged ${logged.count} error line(s), the first: ${logged.first.slice(0, NAMED).join(' | ')}`,
    );
  }
  if (!evidence.drained) {
    failures.push(`the queue did not drain within ${evidence.drainTimeoutMs / 1000} s after the load`);
  }
  const missing = evidence.retained?.missing ?? [];
  if (missing.length > 0) {
    failures.push(
      `${missing.length} of ${evidence.retained?.checked} tasks still within the retention could not be read back as COMPLETED: ` +
        missing
          .slice(0, NAMED + 2)
          .map((task) => `${task.id} (${task.found}, submitted ${task.submittedAt})`)
          .join(', '),
    );
  }
  return { verdict: failures.length === 0 ? 'pass' : 'fail', failures, growth };
};
