import { formatTable, type Column } from './text-table.js';

/** One item of GET /api/tasks/batches, as far as the table needs it; every field optional. */
type BatchItem = Readonly<Record<string, unknown>>;

/** The api speaks camelCase; accept the database's snake_case too, in case a field slips through. */
const field = (item: BatchItem, name: string): unknown =>
  item[name] ?? item[name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`)];

const text = (value: unknown): string =>
  value === undefined || value === null ? '—' : typeof value === 'string' ? value : String(value);

const number = (value: unknown, digits = 0): string =>
  typeof value === 'number' && Number.isFinite(value) ? value.toFixed(digits) : text(value);

/** UUIDv7s of one run share their leading (time) digits; the tail tells batches apart. */
const shortId = (value: unknown): string => {
  const id = text(value);
  return id.length > 12 ? `…${id.slice(-8)}` : id;
};

const clock = (value: unknown): string => {
  const date = typeof value === 'string' || typeof value === 'number' ? new Date(value) : undefined;
  if (date === undefined || Number.isNaN(date.getTime())) return text(value);
  return date.toISOString().slice(11, 23);
};

const COLUMNS: ReadonlyArray<Column<BatchItem>> = [
  { header: 'batch', value: (b) => shortId(field(b, 'id')) },
  { header: 'worker', value: (b) => text(field(b, 'workerId')) },
  { header: 'type', value: (b) => text(field(b, 'taskType')) },
  { header: 'size', value: (b) => number(field(b, 'size')), align: 'right' },
  { header: 'ok', value: (b) => number(field(b, 'completed')), align: 'right' },
  { header: 'failed', value: (b) => number(field(b, 'failed')), align: 'right' },
  { header: 'trigger', value: (b) => text(field(b, 'trigger')) },
  { header: 'handler ms', value: (b) => number(field(b, 'handlerMs'), 1), align: 'right' },
  { header: 'commit ms', value: (b) => number(field(b, 'commitMs'), 1), align: 'right' },
  { header: 'committed (UTC)', value: (b) => clock(field(b, 'committedAt')) },
];

/**
 * The table of recent batches the demo ends with. Takes the response body as it comes and
 * shows a dash for any field it lacks.
 *
 * @example
 * console.log(formatBatches(await api.get('/api/tasks/batches?limit=10')));
 */
export const formatBatches = (body: unknown): string => {
  const items =
    typeof body === 'object' && body !== null && Array.isArray((body as { items?: unknown }).items)
      ? ((body as { items: ReadonlyArray<unknown> }).items.filter(
          (item) => typeof item === 'object' && item !== null,
        ) as ReadonlyArray<BatchItem>)
      : [];
  if (items.length === 0) return '  (no batches yet)';
  const columns = items.some((item) => field(item, 'workerId') !== undefined)
    ? COLUMNS
    : COLUMNS.filter((column) => column.header !== 'worker');
  return formatTable(columns, items)
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
};
