/** `npm run bench` cannot run as asked; the message names the flag when there is one. */
export class BenchOptionError extends Error {
  override readonly name = 'BenchOptionError';

  constructor(
    readonly flag: string | undefined,
    detail: string,
  ) {
    super(flag === undefined ? detail : `--${flag}: ${detail}`);
  }
}
