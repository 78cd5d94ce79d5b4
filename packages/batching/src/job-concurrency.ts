/**
 * BullMQ's concurrency counts jobs; the hold budget counts tasks, and a job may carry a parcel of
 * many. BullMQ fetches up to its concurrency of jobs before it hands the first to the processor
 * (its main loop fetches while `numTotal() < concurrency`, and a finishing job fetches the next
 * while `numTotal() <= concurrency`), so with parcels of 100 a concurrency equal to a budget of
 * 500 would hold 50,000 tasks. The concurrency is therefore the budget divided by the mean weight
 * of the jobs seen recently: `clamp(round(budget / mean), 1, budget)`.
 *
 * The mean is exponentially weighted, each job counting a quarter: it costs nothing per job, and
 * a change of mix is followed within about ten jobs (0.75¹⁰ < 6 % of the old mean is left). It
 * has to follow fast both ways. Heavier parcels than the mean hold more tasks than the budget
 * until it does (bounded by the one fetch round already taken). Lighter ones leave BullMQ
 * fetching too few to fill a group, and BullMQ reads a raised concurrency only as a held job
 * finishes, so each step of a slow mean could cost a group its timeout. A longer memory (or a
 * mean over the last N jobs, which also keeps N weights) would smooth a mix of parcel sizes more,
 * but little is lost without it: on parcels of 100, 100 and 10, over and over, the concurrency
 * for a budget of 700 stays within a job of its mean of 10.
 *
 * With every weight 1 the mean stays exactly 1 and the concurrency is the budget, as it was
 * before jobs carried parcels.
 */
export interface JobConcurrency {
  /** A job of `weight` tasks (an integer ≥ 1) has arrived; answers the concurrency now. */
  arrived(weight: number): number;
  /** The hold budget is now `budget` tasks; answers the concurrency now. */
  budget(budget: number): number;
  /** The concurrency for the budget and the recent mean weight. */
  readonly value: number;
}

/** How much each new job counts in the mean weight; see the header for why a quarter. */
const NEWEST_SHARE = 1 / 4;

/**
 * Tracks BullMQ's concurrency for a hold budget of tasks, starting at `budget` (a mean weight
 * of 1, so a worker whose jobs carry one task each starts, and stays, where it always has).
 *
 * @example
 * const jobs = createJobConcurrency(500);
 * for (let job = 0; job < 20; job += 1) jobs.arrived(100);
 * jobs.value; // 5: five parcels of 100 fill the budget
 * jobs.budget(1_000); // 10
 */
export const createJobConcurrency = (initialBudget: number): JobConcurrency => {
  let budget = initialBudget;
  let meanWeight = 1;
  const value = (): number => Math.min(budget, Math.max(1, Math.round(budget / meanWeight)));
  return {
    arrived: (weight) => {
      meanWeight += NEWEST_SHARE * (weight - meanWeight);
      return value();
    },
    budget: (next) => {
      budget = next;
      return value();
    },
    get value() {
      return value();
    },
  };
};
