/**
 * Reads the services' logs as they grow and keeps their error-level lines: each `scan()` reads
 * only what was written since the last, so a long run never reads a log twice.
 */
import { open } from 'node:fs/promises';
import type { LogErrors } from './judge-soak.js';
import { completeLines, isErrorLine } from './log-errors.js';

export interface LogWatch {
  /** Reads what the logs gained since the last scan. */
  scan(): Promise<void>;
  /** Error lines so far, per service, in the order the services were given. */
  errors(): ReadonlyArray<LogErrors>;
}

/** One log and how far it has been read: the reader's own state, changed as it reads. */
interface WatchedLog {
  readonly service: string;
  readonly file: string;
  /** Bytes read so far. */
  offset: number;
  /** The end of the last read that is not a whole line yet. */
  rest: Buffer;
  count: number;
  readonly first: string[];
}

const KEPT_LINES = 5;
const KEPT_CHARS = 400;
/** Read at most this much at once, so a log that grew a lot is read in pieces. */
const CHUNK_BYTES = 1 << 20;

/**
 * Watches one log file per service (a file not there yet reads as empty).
 *
 * @example
 * const watch = createLogWatch([{ service: 'api', file: join(logDir, 'api.log') }]);
 * await watch.scan();
 * watch.errors(); // [{ service: 'api', count: 0, first: [] }]
 */
export const createLogWatch = (logs: ReadonlyArray<{ readonly service: string; readonly file: string }>): LogWatch => {
  const state = logs.map((log): WatchedLog => ({ ...log, offset: 0, rest: Buffer.alloc(0), count: 0, first: [] }));

  const scanOne = async (log: WatchedLog): Promise<void> => {
    const handle = await open(log.file, 'r').catch(() => undefined);
    if (handle === undefined) return;
    try {
      for (;;) {
        const buffer = Buffer.alloc(CHUNK_BYTES);
        const { bytesRead } = await handle.read(buffer, 0, CHUNK_BYTES, log.offset);
        if (bytesRead === 0) return;
        log.offset += bytesRead;
        const { lines, rest } = completeLines(log.rest, buffer.subarray(0, bytesRead));
        log.rest = rest;
        for (const line of lines) {
          if (!isErrorLine(line)) continue;
          log.count += 1;
          if (log.first.length < KEPT_LINES) log.first.push(line.slice(0, KEPT_CHARS));
        }
      }
    } finally {
      await handle.close();
    }
  };

  return {
    scan: async () => {
      await Promise.all(state.map(scanOne));
    },
    errors: () => state.map(({ service, count, first }) => ({ service, count, first: [...first] })),
  };
};
