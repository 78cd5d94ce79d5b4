import { format, createLogger as createWinston, transports, type Logger } from 'winston';

export type { Logger } from 'winston';

export interface LoggerOptions {
  /** winston level: error, warn, info, http, verbose, debug (default info). */
  readonly level?: string;
  /** `json` for production (one object per line); `pretty` for a terminal (default json). */
  readonly format?: 'json' | 'pretty';
  /** Which part of Sluice logs: `api`, `worker`, … — added to every line. */
  readonly component: string;
  /** More fields for every line, such as the worker id. */
  readonly context?: Readonly<Record<string, unknown>>;
}

const pretty = format.printf((info) => {
  const { level, message, timestamp, component: _component, stack, ...rest } = info as Record<string, unknown>;
  const fields = Object.entries(rest)
    .filter(([key]) => typeof key === 'string')
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(' ');
  const time = String(timestamp).slice(11, 23);
  return `${time} ${String(level)} ${String(message)}${fields ? ` ${fields}` : ''}${stack ? `\n${String(stack)}` : ''}`;
});

/**
 * A winston logger for one component. Give context with `logger.child({ batchId })`.
 *
 * @example
 * const log = createLogger({ component: 'worker', context: { workerId } });
 * log.info('group committed', { batchId, size: 100 });
 */
export const createLogger = (options: LoggerOptions): Logger => {
  const logger: Logger = createWinston({
    level: options.level ?? 'info',
    defaultMeta: { component: options.component, ...options.context },
    format: format.combine(
      // Winston compares levels only in its transports, after every format has run, so a
      // disabled `logger.info` on a hot path (a line per request, one per group) still paid for
      // its timestamp and its JSON. Dropping it first makes it nearly free.
      format((info) => (logger.isLevelEnabled(info.level) ? info : false))(),
      format.errors({ stack: true }),
      format.timestamp(),
      options.format === 'pretty'
        ? // Colour codes only on a terminal: piped into a file or a supervisor they are noise.
          process.stdout.isTTY
          ? format.combine(format.colorize(), pretty)
          : pretty
        : format.json(),
    ),
    transports: [new transports.Console()],
  });
  return logger;
};
