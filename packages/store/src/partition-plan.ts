/*
 * What partition maintenance should do, decided from the partitions that exist, the settings and
 * the time: pure, so every rule is specified without a database or a clock.
 *
 * Partitions are aligned to whole multiples of the interval since the Unix epoch (UTC), so that
 * every worker, whenever it starts, cuts the same boundaries. Two kinds are not aligned: the
 * migration's `<table>_initial` (from MINVALUE to the moment the tables were partitioned), and
 * the one partition that joins the end of the existing ones to the next aligned boundary (after
 * that first migration, or after PARTITION_INTERVAL changed).
 */

import { loadConfig } from '@sluice/config';

/** A range partition of `tasks` or `batches` on its time column: rows in `[from, to)`. */
export interface PartitionRange {
  readonly name: string;
  /** `null`: MINVALUE, every earlier time (the migration's initial partition). */
  readonly from: Date | null;
  readonly to: Date;
}

/** `PARTITION_INTERVAL` and `TASK_RETENTION`, in seconds. */
export interface PartitionSettings {
  readonly intervalSeconds: number;
  readonly retentionSeconds: number;
}

/** The configuration's defaults (daily partitions, rows kept 7 days), as loadConfig gives them: one source. */
export const PARTITION_DEFAULTS: PartitionSettings = loadConfig({}).partitions;

/** A partition to create. */
export interface NewPartition {
  readonly name: string;
  readonly from: Date;
  readonly to: Date;
}

export interface PartitionPlan {
  readonly create: ReadonlyArray<NewPartition>;
  /** Partitions all of whose rows are past the retention. */
  readonly drop: ReadonlyArray<PartitionRange>;
}

/** The least time partitions reach ahead of now, whatever the interval: clocks of api hosts may run ahead. */
const MIN_AHEAD_MS = 5 * 60_000;

/**
 * How far ahead of now partitions must already exist: two intervals, and at least 5 minutes. A
 * commit never waits for DDL, and a maintainer that misses a run or two (its lock was busy, the
 * database was away) still leaves room.
 */
export const aheadMs = (settings: Pick<PartitionSettings, 'intervalSeconds'>): number =>
  Math.max(2 * settings.intervalSeconds * 1_000, MIN_AHEAD_MS);

const pad = (value: number, width = 2): string => String(value).padStart(width, '0');

/** `tasks_p20261203_110000`: the table and the partition's first instant, UTC to the second. */
export const partitionName = (table: string, from: Date): string =>
  `${table}_p${from.getUTCFullYear()}${pad(from.getUTCMonth() + 1)}${pad(from.getUTCDate())}_` +
  `${pad(from.getUTCHours())}${pad(from.getUTCMinutes())}${pad(from.getUTCSeconds())}`;

/** The first aligned boundary strictly after `ms`. */
const nextBoundary = (ms: number, intervalMs: number): number => Math.floor(ms / intervalMs) * intervalMs + intervalMs;

/**
 * The partitions of `table` to create and to drop at `now`:
 *
 * - **create** from the end of the newest partition, boundary by boundary, until partitions reach
 *   {@link aheadMs} past now. Time older than the retention is never created: after a long
 *   pause the new partitions start at the retention's edge, and rows older than that have no
 *   partition, as if theirs had been dropped. With no partition at all, creation starts there too.
 * - **drop** every partition whose end is at or before `now − retention`: every row it can hold
 *   is older than the retention. A row is kept from the retention to the retention plus one
 *   interval.
 *
 * @example
 * const plan = planPartitions('tasks', existing, { intervalSeconds: 60, retentionSeconds: 120 }, new Date());
 * plan.create[0]?.name; // 'tasks_p20261203_110300'
 */
export const planPartitions = (
  table: string,
  existing: ReadonlyArray<PartitionRange>,
  settings: PartitionSettings,
  now: Date,
): PartitionPlan => {
  const intervalMs = settings.intervalSeconds * 1_000;
  const horizon = now.getTime() - settings.retentionSeconds * 1_000;
  const until = now.getTime() + aheadMs(settings);
  const newestEnd = existing.reduce((latest, range) => Math.max(latest, range.to.getTime()), Number.NEGATIVE_INFINITY);
  const create: NewPartition[] = [];
  let from = Math.max(newestEnd, Math.floor(horizon / intervalMs) * intervalMs);
  while (from < until) {
    const to = nextBoundary(from, intervalMs);
    create.push({ name: partitionName(table, new Date(from)), from: new Date(from), to: new Date(to) });
    from = to;
  }
  const drop = existing.filter((range) => range.to.getTime() <= horizon);
  return { create, drop };
};

/** Where a task's time falls among the existing partitions. */
export type Coverage = 'covered' | 'gone' | 'ahead';

/**
 * Whether a row of time `at` has a partition (`covered`), had one that was dropped or never will
 * (`gone`: before the newest partition's end, yet in none), or waits for one to be created
 * (`ahead`: at or past the newest end).
 *
 * @example
 * coverageOf(ranges, new Date(task.submittedAt)) === 'gone'; // its row can never be written
 */
export const coverageOf = (ranges: ReadonlyArray<PartitionRange>, at: Date): Coverage => {
  const time = at.getTime();
  let newestEnd = Number.NEGATIVE_INFINITY;
  for (const range of ranges) {
    const to = range.to.getTime();
    if ((range.from === null || range.from.getTime() <= time) && time < to) return 'covered';
    newestEnd = Math.max(newestEnd, to);
  }
  return time < newestEnd ? 'gone' : 'ahead';
};

/**
 * Whether `relation` is `table` or one of its partitions, as Sluice names them: PostgreSQL
 * names the partition, not the parent, in the error of a row it refused.
 *
 * @example
 * isTableOrPartition('batches', 'batches_p20261203_000000'); // true
 */
export const isTableOrPartition = (table: string, relation: string): boolean =>
  relation === table ||
  relation === `${table}_initial` ||
  (relation.startsWith(`${table}_p`) && /^\d{8}_\d{6}$/.test(relation.slice(table.length + 2)));
