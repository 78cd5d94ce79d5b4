import { stat } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { demoTaskTypes, type DemoSettings } from './demo-task-types.js';
import { TaskModuleError, type TaskModuleProblem } from './task-module-error.js';
import { TASK_TYPE_NAME, taskTypeOptionsProblem, type TaskType } from './task-type.js';

export interface LoadTaskTypesOptions {
  /**
   * Where the path came from, as the user wrote it, named first in every error: `SLUICE_TASKS`
   * (the default) or `--tasks`.
   */
  readonly origin?: string;
}

const MODULE_EXTENSIONS: ReadonlyArray<string> = ['.js', '.mjs', '.cjs'];

const kindOf = (value: unknown): string => {
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return 'an array';
  const type = typeof value;
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
};

const isRecord = (value: unknown): value is Readonly<Record<string, unknown>> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The error with the frames of its stack that are the module's: Node's own and ours (from
 * loadTaskTypes down) say nothing about it.
 */
const describeImportError = (error: unknown): string => {
  if (!(error instanceof Error)) return String(error);
  const lines = (error.stack ?? `${error.name}: ${error.message}`).split('\n');
  const ours = lines.findIndex((line) => /^\s+at .*\bloadTaskTypes\b/.test(line));
  const text = (ours === -1 ? lines : lines.slice(0, ours))
    .filter((line) => !/^\s+at .*\(?node:/.test(line))
    .join('\n  ');
  // A bare import the module's own directory cannot resolve: the usual slip with a module kept
  // outside any project, or in one that never installed Sluice.
  const missing = /Cannot find (?:package|module) '([^']+)'/.exec(error.message)?.[1];
  const hint =
    missing === undefined || missing.startsWith('.') || missing.startsWith('/')
      ? ''
      : `\n  (a task module resolves its imports from its own folder: install ${missing} in the project that holds it)`;
  return `  ${text}${hint}`;
};

/** The array the module offers: its named export `taskTypes`, else its default export. */
const exportedTaskTypes = (namespace: Readonly<Record<string, unknown>>): unknown => {
  if (namespace.taskTypes !== undefined) return namespace.taskTypes;
  const fallback = namespace.default;
  // CommonJS `module.exports = { taskTypes }` in a shape Node's export detection cannot read.
  if (isRecord(fallback) && fallback.taskTypes !== undefined) return fallback.taskTypes;
  return fallback;
};

/**
 * Why `value`, item `index` of the module's array, is not a task type, or `undefined`. Checked by
 * shape, not with `instanceof` or a brand: a module outside this project resolves
 * `@sluice/tasks` from its own `node_modules`, which may be another copy of this package.
 */
const taskTypeProblem = (value: unknown, index: number): [TaskModuleProblem, string] | undefined => {
  const notATaskType = `item ${index} of the array is not a task type made with defineTaskType from @sluice/tasks`;
  if (!isRecord(value)) return ['not-a-task-type', `${notATaskType}: it is ${kindOf(value)}`];
  if (typeof value.name !== 'string' || !TASK_TYPE_NAME.test(value.name)) {
    return [
      'invalid-name',
      `item ${index} has the name ${JSON.stringify(value.name)}; a task type name must match ${TASK_TYPE_NAME} (upper-case words such as SEND_INVOICE)`,
    ];
  }
  const payload = value.payload;
  if (!isRecord(payload) || typeof payload.safeParse !== 'function') {
    return ['not-a-task-type', `${notATaskType}: ${value.name}'s \`payload\` is not a zod schema`];
  }
  if (typeof value.handle !== 'function') {
    return [
      'not-a-task-type',
      `${notATaskType}: ${value.name}'s \`handle\` is ${kindOf(value.handle)}, not a function`,
    ];
  }
  const options = taskTypeOptionsProblem(value);
  if (options !== undefined) return ['not-a-task-type', `${notATaskType}: ${value.name}: ${options}`];
  return undefined;
};

/**
 * Loads the task types of a task module: a `.js`, `.mjs` or `.cjs` file whose named export
 * `taskTypes`, or else whose default export (`module.exports` in CommonJS), is an array of task
 * types made with `defineTaskType`. A relative path is taken from the working directory.
 *
 * Throws a {@link TaskModuleError} naming `options.origin` and the problem: no such file, not a
 * module file, a failed import (with its error), no export, not an array, an item that is not a
 * task type, an invalid or a duplicate name. An empty array is refused too: a catalog without a
 * type would take every task only to reject it.
 *
 * @example
 * // tasks.mjs: export default [defineTaskType({ name: 'HELLO', payload: z.string(), handle })];
 * const taskTypes = await loadTaskTypes('./tasks.mjs');
 * const catalog = createCatalog(taskTypes);
 */
export const loadTaskTypes = async (
  path: string,
  options: LoadTaskTypesOptions = {},
): Promise<ReadonlyArray<TaskType>> => {
  const origin = options.origin ?? 'SLUICE_TASKS';
  const absolute = resolve(path);
  const fail = (problem: TaskModuleProblem, detail: string, cause?: unknown): TaskModuleError =>
    new TaskModuleError(problem, origin, absolute, detail, cause === undefined ? undefined : { cause });

  const stats = await stat(absolute).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT' || error.code === 'ENOTDIR') {
      throw fail(
        'not-found',
        path === absolute ? 'no such file' : `no such file (${JSON.stringify(path)} taken from ${process.cwd()})`,
      );
    }
    throw fail('not-found', `cannot read it: ${error.message}`, error);
  });
  if (!stats.isFile()) throw fail('not-a-module-file', 'it is a directory, not a module file');
  if (!MODULE_EXTENSIONS.includes(extname(absolute))) {
    throw fail('not-a-module-file', 'a task module must be a .js, .mjs or .cjs file (compile TypeScript first)');
  }

  let namespace: Readonly<Record<string, unknown>>;
  try {
    namespace = await import(pathToFileURL(absolute).href);
  } catch (error) {
    throw fail('import-failed', `importing it failed:\n${describeImportError(error)}`, error);
  }

  const types = exportedTaskTypes(namespace);
  if (types === undefined) {
    throw fail('no-task-types', 'it has neither a default export nor a named export `taskTypes`');
  }
  if (!Array.isArray(types)) {
    throw fail('not-an-array', `its task types are ${kindOf(types)}, not an array of task types`);
  }
  if (types.length === 0) throw fail('no-task-types', 'its array of task types is empty');
  const seen = new Map<string, number>();
  types.forEach((type: unknown, index) => {
    const problem = taskTypeProblem(type, index);
    if (problem !== undefined) throw fail(...problem);
    const { name } = type as TaskType;
    const first = seen.get(name);
    if (first !== undefined) {
      throw fail('duplicate-name', `the task type name ${name} is used twice (items ${first} and ${index})`);
    }
    seen.set(name, index);
  });
  return Object.freeze([...(types as ReadonlyArray<TaskType>)]);
};

/**
 * The task types a Sluice process runs: the module its command line names (`--tasks`, given as
 * `tasksPath`), else the one `SLUICE_TASKS` names (`settings.tasksModule`), else the demo types.
 * Errors name whichever of the two the path came from.
 *
 * @example
 * const taskTypes = await processTaskTypes(loadConfig(), flags.tasks);
 */
export const processTaskTypes = async (
  settings: { readonly tasksModule?: string; readonly demo: DemoSettings },
  tasksPath?: string,
): Promise<ReadonlyArray<TaskType>> => {
  if (tasksPath !== undefined) return loadTaskTypes(tasksPath, { origin: '--tasks' });
  if (settings.tasksModule !== undefined) return loadTaskTypes(settings.tasksModule);
  return demoTaskTypes(settings.demo);
};
