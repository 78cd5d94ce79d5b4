/**
 * Thrown when the environment does not describe a valid configuration.
 * The message names every offending variable so an operator can fix them all at once.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';

  constructor(readonly issues: ReadonlyArray<{ readonly variable: string; readonly message: string }>) {
    super(`Invalid configuration:\n${issues.map((issue) => `  ${issue.variable}: ${issue.message}`).join('\n')}`);
  }
}
