import { formatTable } from './text-table.js';

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

/** Committed task counts, as the stats report them. */
export interface CommittedCounts {
  readonly completed: number;
  readonly failed: number;
}

/** Where the counts may sit: `totals.completed` today, `tasks.completed` in the brief, or on top. */
const COUNT_HOLDERS: ReadonlyArray<ReadonlyArray<string>> = [['totals'], ['tasks'], []];

/** The committed counts in `stats`, or `undefined` when it carries no completed count. */
export const committedCounts = (stats: unknown): CommittedCounts | undefined => {
  for (const holder of COUNT_HOLDERS) {
    const completed = numberAt(stats, ...holder, 'completed');
    if (completed !== undefined) return { completed, failed: numberAt(stats, ...holder, 'failed') ?? 0 };
  }
  return undefined;
};

const formatValue = (value: unknown): string => {
  if (typeof value === 'number') return Number.isInteger(value) ? value.toLocaleString('en-US') : value.toFixed(2);
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return '—';
  return JSON.stringify(value);
};

const isTableable = (value: unknown): value is ReadonlyArray<Readonly<Record<string, unknown>>> =>
  Array.isArray(value) && value.length > 0 && value.every(isRecord);

/** An array of objects (`byTaskType`) reads best as a small table of its own. */
const subTable = (rows: ReadonlyArray<Readonly<Record<string, unknown>>>): string => {
  const keys = [...new Set(rows.flatMap((row) => Object.keys(row)))];
  return formatTable(
    keys.map((key) => ({
      header: key,
      value: (row: Readonly<Record<string, unknown>>) => formatValue(row[key]),
      align: rows.some((row) => typeof row[key] === 'number') ? ('right' as const) : ('left' as const),
    })),
    rows,
  );
};

/**
 * Prints `stats` whatever its shape: nested objects as `key  value` lines with dotted keys
 * (`totals.completed  1,503`), arrays of objects as small tables under their key.
 *
 * @example
 * formatStats({ totals: { completed: 3 } }); // "  totals.completed  3"
 */
export const formatStats = (stats: unknown): string => {
  const rows: Array<readonly [string, string]> = [];
  const tables: Array<readonly [string, string]> = [];
  const walk = (value: unknown, prefix: string): void => {
    if (isRecord(value) && Object.keys(value).length > 0) {
      for (const [key, inner] of Object.entries(value)) walk(inner, prefix ? `${prefix}.${key}` : key);
    } else if (isTableable(value)) {
      tables.push([prefix || '(items)', subTable(value)]);
    } else {
      rows.push([prefix || '(value)', formatValue(value)]);
    }
  };
  walk(stats, '');
  const width = Math.max(0, ...rows.map(([key]) => key.length));
  return [
    ...rows.map(([key, value]) => `  ${key.padEnd(width)}  ${value}`),
    ...tables.flatMap(([key, table]) => ['', `  ${key}`, ...table.split('\n').map((line) => `    ${line}`)]),
  ].join('\n');
};
