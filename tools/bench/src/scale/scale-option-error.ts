/** The scaling run's command line cannot be used as given; the message names the flag. */
export class ScaleOptionError extends Error {
  override readonly name = 'ScaleOptionError';

  constructor(
    readonly flag: string,
    detail: string,
  ) {
    super(`--${flag}: ${detail}`);
  }
}
