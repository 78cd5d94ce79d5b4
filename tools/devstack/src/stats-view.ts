/**
 * Reading GET /api/tasks/stats without depending on its exact shape: the demo shows whatever
 * the api returns, and only needs the committed counts to know when it is done.
 */

const isRecord = (value: unknown): value is Readonly<Record<string, unknown>> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const numberAt = (value: unknown, ...path: ReadonlyArray<string>): number | undefined => {
  let current: unknown = value;
  for (const key of path) {
    if (!isRecord(current)) return undefined;
    current = current[key];
  }
  return typeof current === 'number' && Number.isFinite(current) ? current : undefined;
};

/** Committed task counts, from `tasks.completed`/`tasks.failed` (or top-level ones). */
export interface CommittedCounts {
  readonly completed: number;
  readonly failed: number;
}

/** The committed counts in `stats`, or `undefined` when it carries no completed count. */
export const committedCounts = (stats: unknown): CommittedCounts | undefined => {
  const completed = numberAt(stats, 'tasks', 'completed') ?? numberAt(stats, 'completed');
  if (completed === undefined) return undefined;
  const failed = numberAt(stats, 'tasks', 'failed') ?? numberAt(stats, 'failed') ?? 0;
  return { completed, failed };
};

const formatValue = (value: unknown): string => {
  if (typeof value === 'number') return Number.isInteger(value) ? value.toLocaleString('en-US') : value.toFixed(2);
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return '—';
  return JSON.stringify(value);
};

/**
 * Flattens `stats` into `key  value` lines with dotted keys (`tasks.completed  1,503`), so any
 * shape prints readably.
 *
 * @example
 * formatStats({ tasks: { completed: 3 } }); // "  tasks.completed  3"
 */
export const formatStats = (stats: unknown): string => {
  const rows: Array<readonly [string, string]> = [];
  const walk = (value: unknown, prefix: string): void => {
    if (isRecord(value) && Object.keys(value).length > 0) {
      for (const [key, inner] of Object.entries(value)) walk(inner, prefix ? `${prefix}.${key}` : key);
    } else {
      rows.push([prefix || '(value)', formatValue(value)]);
    }
  };
  walk(stats, '');
  const width = Math.max(0, ...rows.map(([key]) => key.length));
  return rows.map(([key, value]) => `  ${key.padEnd(width)}  ${value}`).join('\n');
};
