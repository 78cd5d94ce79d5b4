/** The chaos run's command line cannot be used as given; the message names the flag when there is one. */
export class ChaosOptionError extends Error {
  override readonly name = 'ChaosOptionError';

  constructor(
    readonly flag: string | undefined,
    detail: string,
  ) {
    super(flag === undefined ? detail : `--${flag}: ${detail}`);
  }
}
