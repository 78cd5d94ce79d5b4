/** A status line, rewritten in place on a terminal and printed as plain lines elsewhere. */
export interface ProgressLine {
  update(text: string): void;
  /** Prints a line of its own above the status line. */
  note(line: string): void;
  /** Ends the status line, leaving its last text. */
  done(): void;
}

type Output = NodeJS.WritableStream & { readonly isTTY?: boolean };

/**
 * Creates a progress line on `out`. Off a terminal (CI logs, a pipe) a rewrite would print a new
 * line each time, so there each update is a line of its own, which callers make about once a
 * second.
 *
 * @example
 * const progress = createProgressLine(process.stdout);
 * progress.update('12,000 submitted');
 * progress.done();
 */
export const createProgressLine = (out: Output): ProgressLine => {
  const tty = out.isTTY === true;
  let shown = '';
  return {
    update: (text) => {
      shown = text;
      out.write(tty ? `\r\u001b[2K${text}` : `${text}\n`);
    },
    note: (line) => {
      out.write(tty ? `\r\u001b[2K${line}\n${shown}` : `${line}\n`);
    },
    done: () => {
      if (tty && shown !== '') out.write('\n');
      shown = '';
    },
  };
};
