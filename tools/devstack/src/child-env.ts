/**
 * The environment of a child process: the user's own environment passed through untouched, so
 * settings such as BATCH_SIZE or LOG_LEVEL reach the api and workers, with `defaults` under it
 * and `overrides` over it.
 *
 * This copies `process.env` wholesale instead of reading any variable from it: interpreting the
 * environment stays the job of `@sluice/config`, in the child that receives it.
 */
export const childEnv = (
  defaults: Readonly<Record<string, string>>,
  overrides: Readonly<Record<string, string>>,
  remove: ReadonlyArray<string> = [],
): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = { ...defaults, ...process.env, ...overrides };
  for (const name of remove) delete env[name];
  return env;
};
