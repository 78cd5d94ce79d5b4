import type { Readable } from 'node:stream';

/** How a line is emphasised; the process's own text is never recoloured. */
export type LineTone = 'plain' | 'notice' | 'warn' | 'error';

export interface LogStreamOptions {
  /** Where every line goes. Default: `process.stdout`. */
  readonly out?: NodeJS.WritableStream & { readonly isTTY?: boolean; hasColors?(): boolean };
  /** ANSI colours. Default: when `out` is a terminal that has them (Node honours NO_COLOR). */
  readonly colour?: boolean;
  /** Names known up front, so the prefix column is wide enough from the first line. */
  readonly names?: ReadonlyArray<string>;
  /**
   * Called once if `out` fails (the reader went away: `npm start | head`, a closed terminal).
   * Later lines are dropped: writing on would only raise the same error again.
   */
  readonly onClosed?: (error: Error) => void;
}

/** One combined, prefixed log for every process of the stack. */
export interface LogStream {
  /** Whether lines carry ANSI colours (children are told to colour their own output too). */
  readonly colour: boolean;
  /** Writes one line (or several, split on newlines) under `source`'s prefix. */
  line(source: string, text: string, tone?: LineTone): void;
  /**
   * Splits `stream` into lines and writes each under `source`'s prefix. `keep` decides which
   * lines are shown (all of them by default).
   */
  pipe(source: string, stream: Readable, keep?: (line: string) => boolean): void;
  /** Writes `text` as it is, without a prefix (the banner). */
  write(text: string): void;
  /** Text painted in `tone`, for messages composed outside the stream (the banner). */
  paint(text: string, tone: LineTone | 'bold' | 'dim'): string;
}

const RESET = '\u001b[0m';
const TONES: Readonly<Record<LineTone | 'bold' | 'dim', string>> = {
  plain: '',
  notice: '\u001b[1m',
  warn: '\u001b[33m',
  error: '\u001b[1;31m',
  bold: '\u001b[1m',
  dim: '\u001b[2m',
};

/** Fixed colours for the services, so they look the same in every run. */
const FIXED: Readonly<Record<string, string>> = {
  devstack: '\u001b[1;37m',
  api: '\u001b[36m',
  redis: '\u001b[31m',
  postgres: '\u001b[34m',
  migrate: '\u001b[35m',
};
/** Workers take these in turn. */
const ROTATION: ReadonlyArray<string> = [
  '\u001b[32m',
  '\u001b[33m',
  '\u001b[92m',
  '\u001b[93m',
  '\u001b[96m',
  '\u001b[95m',
];

/**
 * Creates the stack's log: `name │ text`, the name column padded to the longest known name and
 * coloured per process when the terminal has colours.
 *
 * @example
 * const log = createLogStream({ names: ['api', 'worker-1'] });
 * log.pipe('api', child.stdout);
 * log.line('devstack', 'api exited unexpectedly', 'warn');
 */
export const createLogStream = (options: LogStreamOptions = {}): LogStream => {
  const out = options.out ?? process.stdout;
  const colour = options.colour ?? (out.isTTY === true && out.hasColors?.() === true);
  let width = Math.max(0, ...(options.names ?? []).map((name) => name.length));
  const colours = new Map<string, string>();
  let closed = false;
  out.on('error', (error: Error) => {
    if (closed) return;
    closed = true;
    options.onClosed?.(error);
  });
  const write = (text: string): void => {
    if (!closed) out.write(text);
  };

  const paint = (text: string, tone: LineTone | 'bold' | 'dim'): string =>
    colour && TONES[tone] !== '' ? `${TONES[tone]}${text}${RESET}` : text;

  const prefix = (source: string): string => {
    width = Math.max(width, source.length);
    const padded = source.padEnd(width);
    if (!colour) return `${padded} │ `;
    let code = colours.get(source) ?? FIXED[source];
    if (code === undefined) {
      code = ROTATION[colours.size % ROTATION.length] ?? '';
      colours.set(source, code);
    }
    return `${code}${padded}${RESET} \u001b[2m│${RESET} `;
  };

  const line = (source: string, text: string, tone: LineTone = 'plain'): void => {
    for (const part of text.split('\n')) {
      write(`${prefix(source)}${paint(part.replace(/\r$/, ''), tone)}\n`);
    }
  };

  const pipe = (source: string, stream: Readable, keep: (line: string) => boolean = () => true): void => {
    let partial = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      const parts = (partial + chunk).split('\n');
      partial = parts.pop() ?? '';
      for (const part of parts) {
        const text = part.replace(/\r$/, '');
        if (text.trim() !== '' && keep(text)) line(source, text);
      }
    });
    // A process that dies mid-line still gets its last words shown.
    stream.on('end', () => {
      if (partial.trim() !== '' && keep(partial)) line(source, partial);
      partial = '';
    });
  };

  return { colour, line, pipe, write, paint };
};
