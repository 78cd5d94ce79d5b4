/**
 * How much a healthy stack may grow after its warm-up, and the bound a series is judged by.
 *
 * A leak shows as steady growth, so the judging fits a least-squares line and bounds its slope.
 * Two things move a healthy series that a bound must not take for a leak:
 *
 * - a one-off step: V8 grows a heap space, the allocator keeps pages it freed, Redis's
 *   allocator grows an arena. A step of S MB in the middle of a window of W minutes gives a
 *   least-squares slope of 1.5·S/W, so the bound allows that on top of the steady rate. It
 *   fades as the run gets longer: a 2-minute run forgives a step, a day-long one barely does.
 * - a sawtooth read at random phases (the young generation fills and is scavenged every few
 *   seconds; a partition fills and is dropped): it scatters the readings around the line. The
 *   step allowance covers it too: the scatter's effect on the slope shrinks as W grows.
 */

/** A growth allowed after the warm-up. */
export interface GrowthBound {
  /** Steady growth allowed, MB a minute. */
  readonly mbPerMinute: number;
  /** A one-off step allowed anywhere in the window, MB. */
  readonly stepMb: number;
}

/**
 * The bounds of the processes and of Redis.
 *
 * - `mbPerMinute` 0.25 ≈ 360 MB a day: growing that fast, the api or a worker would go from the
 *   ~100–150 MB it uses to its 384 MB heap limit (`--max-old-space-size`) within a day, and
 *   Redis would need a gigabyte more every three days. Slower growth is beyond what a run of
 *   minutes can tell from jitter; a run of hours resolves it, as the step's share fades.
 * - the heap's `stepMb` is the worker's young generation (`--max-semi-space-size=32`): between
 *   two samples the heap in use can swing by that much without anything kept.
 * - RSS swings further: V8 hands freed pages back to the system and takes them again. In
 *   2-minute runs at 300–400 tasks/s a worker's RSS fell 62 MB (148 → 86) and grew back within
 *   a minute, and the api's came back 32 MB in 90 s; 64 MB covers such a swing.
 * - Redis's: a few seconds of queue backlog (a waiting task is about 1 KB) and an arena.
 *
 * What that judges: over the default 25 judged minutes, RSS growth above 4.1 MB/min, heap above
 * 2.2, Redis above 0.7; over 8 hours, 0.45, 0.35 and 0.28.
 */
export const GROWTH_BOUNDS = Object.freeze({
  rss: Object.freeze({ mbPerMinute: 0.25, stepMb: 64 }),
  heap: Object.freeze({ mbPerMinute: 0.25, stepMb: 32 }),
  redis: Object.freeze({ mbPerMinute: 0.25, stepMb: 8 }),
}) satisfies Readonly<Record<string, GrowthBound>>;

/** Steady growth allowed of the tables once partitions are being dropped, MB a minute: as for Redis. */
export const TABLES_MB_PER_MINUTE = 0.25;

/**
 * The tables' bound, once the run is long enough to have dropped partitions (see
 * `judgeSoak`): they fill one partition interval's worth of rows, then a partition goes, so
 * their size is a sawtooth with a step of one interval's rows. `ingestMbPerMinute` is how fast
 * they fill between drops.
 *
 * @example
 * tablesBound(12, 60); // { mbPerMinute: 0.25, stepMb: 12 }: one minute of rows
 */
export const tablesBound = (ingestMbPerMinute: number, intervalSeconds: number): GrowthBound => ({
  mbPerMinute: TABLES_MB_PER_MINUTE,
  stepMb: Math.max(0, ingestMbPerMinute) * (intervalSeconds / 60),
});

/**
 * The slope, MB a minute, a series may not exceed over a judged window of `minutes`.
 *
 * @example
 * slopeBound({ mbPerMinute: 0.25, stepMb: 32 }, 90); // 0.25 + 1.5 × 32 / 90 ≈ 0.78
 */
export const slopeBound = (bound: GrowthBound, minutes: number): number =>
  bound.mbPerMinute + (1.5 * bound.stepMb) / Math.max(minutes, Number.MIN_VALUE);

/** The bound written out: `0.78 MB/min (0.25 MB/min + a 32 MB step over 90 min)`. */
export const describeBound = (bound: GrowthBound, minutes: number): string =>
  `${slopeBound(bound, minutes).toFixed(2)} MB/min (${bound.mbPerMinute} MB/min + a ${bound.stepMb.toFixed(0)} MB step over ${minutes.toFixed(1)} min)`;
