/**
 * Error-level lines in the services' logs. The api and the workers write one JSON object a line
 * (winston's json format, `LOG_FORMAT=json`), with `level` and `message`; other lines (the run's
 * own `--- chaos` markers, Node's warnings) carry no level and are not errors here: a service
 * that crashes is caught by its exit instead.
 */

/** Complete lines of a chunk read from a log, and the unfinished end to prepend to the next. */
export interface LogLines {
  readonly lines: ReadonlyArray<string>;
  readonly rest: Buffer;
}

/**
 * Splits what was read from a log into its complete lines; a line still being written stays in
 * `rest` until its newline arrives. Bytes, not text: a character cut at the end of a read must
 * not be decoded in halves.
 *
 * @example
 * completeLines(Buffer.alloc(0), Buffer.from('{"level":"info"}\n{"lev')); // { lines: ['{"level":"info"}'], rest: <'{"lev'> }
 */
export const completeLines = (rest: Buffer, chunk: Buffer): LogLines => {
  const bytes = rest.length === 0 ? chunk : Buffer.concat([rest, chunk]);
  const end = bytes.lastIndexOf(0x0a);
  if (end < 0) return { lines: [], rest: bytes };
  return { lines: bytes.subarray(0, end).toString('utf8').split('\n'), rest: bytes.subarray(end + 1) };
};

/** Levels at error or above: winston's npm levels stop at `error`, syslog's go on. */
const ERROR_LEVELS: ReadonlySet<string> = new Set(['error', 'crit', 'alert', 'emerg']);

/**
 * Whether a log line is a JSON entry at error level.
 *
 * @example
 * isErrorLine('{"level":"error","message":"commit failed"}'); // true
 * isErrorLine('--- chaos +1.0s: worker-1 start (generation 1)'); // false
 */
export const isErrorLine = (line: string): boolean => {
  if (!line.startsWith('{')) return false;
  try {
    const entry: unknown = JSON.parse(line);
    const level = typeof entry === 'object' && entry !== null ? (entry as { level?: unknown }).level : undefined;
    return typeof level === 'string' && ERROR_LEVELS.has(level);
  } catch {
    return false;
  }
};
