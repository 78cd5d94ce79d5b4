/**
 * How many tasks a steady `rate` (tasks/s) has due `elapsedMs` after the start, capped at `total`.
 * Counting from the start, not from the last send, keeps the rate steady when a tick runs late.
 *
 * @example
 * dueTasks(500, 1_000, 30_000); // 500
 */
export const dueTasks = (rate: number, elapsedMs: number, total: number): number =>
  Math.max(0, Math.min(total, Math.floor((rate * elapsedMs) / 1000)));
