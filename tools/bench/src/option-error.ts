/**
 * A command line of `npm run bench`, `chaos` or `scale` that cannot be used as given; the
 * message names the flag when there is one.
 */
export class OptionError extends Error {
  override readonly name = 'OptionError';

  constructor(
    readonly flag: string | undefined,
    detail: string,
  ) {
    super(flag === undefined ? detail : `--${flag}: ${detail}`);
  }
}
