import { spawn } from 'node:child_process';
import { DevstackError } from './devstack-error.js';
import type { LogStream } from './log-stream.js';

export interface MigrationOptions {
  /** `packages/store/dist/bin/migrate.js`. */
  readonly entry: string;
  readonly cwd: string;
  /** Must carry DATABASE_URL; the script creates the database when it is missing. */
  readonly env: NodeJS.ProcessEnv;
  readonly log: LogStream;
  /** Aborting sends the script SIGTERM (Ctrl-C during start-up). */
  readonly signal?: AbortSignal;
}

/**
 * Runs the store's migration script to completion, its output in the combined log under
 * `migrate`. Throws when it fails, so the api and workers never start on an old schema.
 *
 * @example
 * await runMigrations({ entry: paths.migrateEntry, cwd: paths.root, env, log });
 */
export const runMigrations = (options: MigrationOptions): Promise<void> =>
  new Promise((resolve, reject) => {
    const { entry, cwd, env, log, signal } = options;
    const child = spawn(process.execPath, [entry], {
      cwd,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(signal === undefined ? {} : { signal, killSignal: 'SIGTERM' as const }),
    });
    if (child.stdout) log.pipe('migrate', child.stdout);
    if (child.stderr) log.pipe('migrate', child.stderr);
    let settled = false;
    const settle = (error?: Error): void => {
      if (settled) return;
      settled = true;
      if (error) reject(error);
      else resolve();
    };
    child.once('error', (error) => {
      if (error.name === 'AbortError') settle(new DevstackError('migrations interrupted'));
      else settle(new DevstackError(`Could not run the migrations (${entry}): ${error.message}`));
    });
    child.once('close', (code, killedBy) => {
      if (code === 0) settle();
      else if (signal?.aborted) settle(new DevstackError('migrations interrupted'));
      else {
        const how = killedBy === null ? `exit code ${code ?? '?'}` : `killed by ${killedBy}`;
        settle(new DevstackError(`The migrations failed (${how}); their output is above, under "migrate".`));
      }
    });
  });
