import { createDatabaseIfMissing } from './create-database-if-missing.js';
import { createDb } from './create-db.js';
import { errorMessage } from './error-message.js';
import { migrateToLatest, type MigrateOptions } from './migrate-to-latest.js';

/** Where the command writes: `console` in the real binary, an array in tests. */
export interface CommandOutput {
  log(line: string): void;
  error(line: string): void;
}

/** `host:port/database`: enough to recognise the target, without the password. */
const describeTarget = (url: string): string => {
  const parsed = new URL(url);
  return `${parsed.host}${parsed.pathname}`;
};

/**
 * What the migrate binary does: create the database when it is missing, apply pending
 * migrations, make partitions ready for `options.partitions` (see `migrateToLatest`), and say
 * what happened. Resolves to the process exit code (0 or 1) instead of
 * exiting, so it can be tested and the binary stays a two-line wrapper.
 *
 * @example
 * process.exitCode = await runMigrateCommand(config.databaseUrl, console, { partitions: config.partitions });
 */
export const runMigrateCommand = async (
  databaseUrl: string,
  out: CommandOutput,
  options: MigrateOptions = {},
): Promise<number> => {
  const target = describeTarget(databaseUrl);
  try {
    if (await createDatabaseIfMissing(databaseUrl)) out.log(`created database ${target}`);
  } catch (error) {
    out.error(`cannot reach or create database ${target}: ${errorMessage(error)}`);
    return 1;
  }
  // The migrator works on a single connection; more would only be opened and left idle. A
  // migration may rightly run for minutes (an index over a big table), so neither timeout
  // applies; keepalive still finds a server that is gone.
  const db = createDb(databaseUrl, { poolSize: 1, statementTimeoutMs: 0, queryTimeoutMs: 0 });
  try {
    const applied = await migrateToLatest(db, options);
    if (applied.length === 0) out.log(`database ${target} is up to date`);
    for (const name of applied) out.log(`applied migration ${name} to ${target}`);
    return 0;
  } catch (error) {
    out.error(`migrating ${target} failed: ${errorMessage(error)}`);
    return 1;
  } finally {
    await db.destroy();
  }
};
