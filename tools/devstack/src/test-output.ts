import { Writable } from 'node:stream';

/** A writable that keeps what was written, for asserting on what a user would read. */
export interface CapturedOutput {
  readonly stream: Writable;
  text(): string;
  lines(): ReadonlyArray<string>;
}

export const captureOutput = (): CapturedOutput => {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      text += chunk.toString();
      callback();
    },
  });
  return {
    stream,
    text: () => text,
    lines: () => text.split('\n').filter((line) => line !== ''),
  };
};
