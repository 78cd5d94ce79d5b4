import { errorMessage } from './error-message.js';

/** Thrown by `migrateToLatest` when a migration (or the migrator itself) fails. */
export class MigrationError extends Error {
  override readonly name = 'MigrationError';

  constructor(
    /** The migration that failed; undefined when the migrator failed before running one. */
    readonly migrationName: string | undefined,
    options: { readonly cause: unknown },
  ) {
    const reason = errorMessage(options.cause);
    super(
      migrationName === undefined
        ? `migrations could not run: ${reason}`
        : `migration "${migrationName}" failed: ${reason}`,
      { cause: options.cause },
    );
  }
}
