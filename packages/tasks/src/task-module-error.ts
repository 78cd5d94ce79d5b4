/** What is wrong with a task module; a stable key for code, while the message is for people. */
export type TaskModuleProblem =
  | 'not-found'
  | 'not-a-module-file'
  | 'import-failed'
  | 'no-task-types'
  | 'not-an-array'
  | 'not-a-task-type'
  | 'invalid-name'
  | 'duplicate-name';

/**
 * Thrown by `loadTaskTypes` when the module `SLUICE_TASKS` (or `--tasks`) names cannot serve as
 * a task catalog, so that the process stops at start naming the setting and the problem rather
 * than failing on the first task of a type it does not know.
 */
export class TaskModuleError extends Error {
  override readonly name = 'TaskModuleError';

  constructor(
    /** Which problem, as a stable key. */
    readonly problem: TaskModuleProblem,
    /** Where the path came from as the user wrote it: `SLUICE_TASKS` or `--tasks`. */
    readonly origin: string,
    /** The module's absolute path. */
    readonly path: string,
    detail: string,
    options?: ErrorOptions,
  ) {
    super(`${origin}: cannot load task types from ${path}: ${detail}`, options);
  }
}
