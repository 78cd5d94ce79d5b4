import { sql, type Kysely } from 'kysely';
import { InvalidArgumentError } from '../invalid-argument-error.js';
import type { Database } from '../schema.js';

/** The longest window `throughput` covers: an hour of one-second points. */
export const MAX_THROUGHPUT_SECONDS = 3_600;

/** Which window of per-second figures to read. */
export interface ThroughputQuery {
  /** Whole seconds to cover, ending with the last complete second; 1 to {@link MAX_THROUGHPUT_SECONDS}. */
  readonly seconds: number;
}

/** What was committed during one second. */
export interface ThroughputPoint {
  /** The start of the second (server time). */
  readonly at: Date;
  /** Task rows written: `completed + failed` of every batch committed in that second. */
  readonly tasks: number;
  /** Batches committed in that second. */
  readonly batches: number;
}

/** A gap-free per-second series, oldest first. */
export interface Throughput {
  /**
   * The end of the window (exclusive): the start of the current, still incomplete second on the
   * database server's clock. Clients may use it to line their own clock up with `committed_at`.
   */
  readonly until: Date;
  /** Exactly `seconds` points, one per second, quiet seconds included with zeros. */
  readonly points: ReadonlyArray<ThroughputPoint>;
}

interface ThroughputRow {
  readonly at: Date;
  readonly until: Date;
  readonly tasks: number;
  readonly batches: number;
}

/**
 * Tasks committed per second over the last `seconds` complete seconds, from the `batches` table
 * (a row per group, so a fraction of the `tasks` rows). The current second is left out: it is
 * still filling, and plotting it would show a dip at the right edge of every chart.
 *
 * The series is completed with `generate_series` on the server, so a chart gets one point per
 * second whether or not anything was committed, and the buckets follow the same clock that wrote
 * `committed_at`.
 *
 * @throws {InvalidArgumentError} for `seconds` out of range.
 *
 * @example
 * const { points } = await selectThroughput(db, { seconds: 300 });
 * const peak = Math.max(...points.map((point) => point.tasks));
 */
export const selectThroughput = async (db: Kysely<Database>, query: ThroughputQuery): Promise<Throughput> => {
  const { seconds } = query;
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > MAX_THROUGHPUT_SECONDS) {
    throw new InvalidArgumentError(
      'seconds',
      `must be a whole number from 1 to ${MAX_THROUGHPUT_SECONDS}, got ${seconds}`,
    );
  }
  const { rows } = await sql<ThroughputRow>`
    WITH bounds AS (
      SELECT date_trunc('second', now()) AS until,
             date_trunc('second', now()) - make_interval(secs => ${seconds}) AS since
    ),
    committed AS (
      SELECT date_trunc('second', b.committed_at) AS at,
             sum(b.completed + b.failed) AS tasks,
             count(*) AS batches
      FROM batches b, bounds
      WHERE b.committed_at >= bounds.since AND b.committed_at < bounds.until
      GROUP BY 1
    )
    SELECT s.at, bounds.until,
           coalesce(committed.tasks, 0) AS tasks,
           coalesce(committed.batches, 0) AS batches
    FROM bounds
    CROSS JOIN generate_series(bounds.since, bounds.until - interval '1 second', interval '1 second') AS s(at)
    LEFT JOIN committed ON committed.at = s.at
    ORDER BY s.at
  `.execute(db);
  const until = rows[0]?.until;
  if (until === undefined) throw new Error(`throughput: the series for ${seconds} s came back empty`);
  return {
    until,
    points: rows.map((row) => ({ at: row.at, tasks: row.tasks, batches: row.batches })),
  };
};
