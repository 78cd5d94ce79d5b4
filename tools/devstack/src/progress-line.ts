/** A status line that is rewritten in place on a terminal and printed now and then elsewhere. */
export interface ProgressLine {
  update(text: string): void;
  /** Leaves the last text (or `text`) on its own line. */
  done(text?: string): void;
}

type Output = NodeJS.WritableStream & { readonly isTTY?: boolean };

/**
 * Creates a progress line on `out`. Off a terminal (CI logs, a pipe) a rewrite would print a
 * new line each time, so there it prints at most every `everyMs`.
 *
 * @example
 * const progress = createProgressLine(process.stdout);
 * progress.update('120/503 committed');
 * progress.done();
 */
export const createProgressLine = (out: Output, everyMs = 2_000): ProgressLine => {
  const tty = out.isTTY === true;
  let last = '';
  let printedAt = 0;
  let printed = '';
  return {
    update: (text) => {
      last = text;
      if (tty) {
        out.write(`\r\u001b[2K${text}`);
      } else if (Date.now() - printedAt >= everyMs) {
        out.write(`${text}\n`);
        printedAt = Date.now();
        printed = text;
      }
    },
    done: (text) => {
      const final = text ?? last;
      if (tty) out.write(`\r\u001b[2K${final}\n`);
      else if (final !== printed) out.write(`${final}\n`);
    },
  };
};
