import { relative } from 'node:path';
import { createOutsideProject, type OutsideProject } from '@sluice/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TaskModuleError } from './task-module-error.js';
import { loadTaskTypes, processTaskTypes } from './task-module.js';
import { testContext } from './test-context.js';

/*
 * Task modules live in a project of their own outside the repository, with @sluice/tasks and zod
 * in its node_modules, as a user's do.
 */
let project: OutsideProject;
beforeAll(async () => {
  project = await createOutsideProject({ packages: ['@sluice/tasks', 'zod'], from: import.meta.url });
});
afterAll(() => project.remove());

let files = 0;
/** Writes a module under a name of its own (modules are cached by URL) and resolves to its path. */
const moduleOf = (text: string, extension = '.mjs'): Promise<string> => {
  files += 1;
  return project.write(`tasks-${files}${extension}`, text);
};

const HELLO_ESM = `
import { defineTaskType } from '@sluice/tasks';
import { z } from 'zod';
export const hello = defineTaskType({
  name: 'HELLO',
  payload: z.object({ name: z.string() }),
  handle: async (tasks) => tasks.map((task) => ({ ok: true, result: 'hello ' + task.payload.name })),
});
`;

/** The error `loadTaskTypes` throws for `path`. */
const failure = async (path: string, origin?: string): Promise<TaskModuleError> => {
  const error = await loadTaskTypes(path, origin === undefined ? {} : { origin }).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(TaskModuleError);
  return error as TaskModuleError;
};

const runHandler = async (path: string) => {
  const [type] = await loadTaskTypes(path);
  const tasks = [{ id: 'a', payload: { name: 'Ada' }, attempt: 1, maxAttempts: 4, submittedAt: new Date() }];
  return { name: type?.name, outcomes: await type?.handle(tasks, testContext()) };
};

describe('loadTaskTypes', () => {
  it('loads the array an ES module exports by default', async () => {
    const path = await moduleOf(`${HELLO_ESM}\nexport default [hello];`);
    expect(await runHandler(path)).toEqual({ name: 'HELLO', outcomes: [{ ok: true, result: 'hello Ada' }] });
  });

  it('loads the array an ES module exports as taskTypes', async () => {
    const path = await moduleOf(`${HELLO_ESM}\nexport const taskTypes = [hello];`);
    expect(await runHandler(path)).toEqual({ name: 'HELLO', outcomes: [{ ok: true, result: 'hello Ada' }] });
  });

  it('loads the array a CommonJS module assigns to module.exports', async () => {
    const path = await moduleOf(
      `const { defineTaskType } = require('@sluice/tasks');
       const { z } = require('zod');
       module.exports = [defineTaskType({
         name: 'HELLO',
         payload: z.object({ name: z.string() }),
         handle: async (tasks) => tasks.map((task) => ({ ok: true, result: 'hello ' + task.payload.name })),
       })];`,
      '.cjs',
    );
    expect(await runHandler(path)).toEqual({ name: 'HELLO', outcomes: [{ ok: true, result: 'hello Ada' }] });
  });

  it('loads a CommonJS module that exports { taskTypes }', async () => {
    const path = await moduleOf(
      `const { defineTaskType } = require('@sluice/tasks');
       const { z } = require('zod');
       const hello = defineTaskType({ name: 'HELLO', payload: z.string(), handle: async (tasks) => tasks.map(() => ({ ok: true })) });
       module.exports = { taskTypes: [hello] };`,
      '.cjs',
    );
    expect((await loadTaskTypes(path)).map((type) => type.name)).toEqual(['HELLO']);
  });

  it('takes a relative path from the working directory', async () => {
    const path = await moduleOf(`${HELLO_ESM}\nexport default [hello];`);
    expect((await loadTaskTypes(relative(process.cwd(), path))).map((type) => type.name)).toEqual(['HELLO']);
  });

  it('accepts task types of another copy of @sluice/tasks, recognised by their shape', async () => {
    const path = await moduleOf(
      `import { z } from 'zod';
       export default [{ name: 'ELSEWHERE', payload: z.string(), handle: async (tasks) => tasks.map(() => ({ ok: true })) }];`,
    );
    expect((await loadTaskTypes(path)).map((type) => type.name)).toEqual(['ELSEWHERE']);
  });

  it('says there is no such file, naming SLUICE_TASKS and the path as given', async () => {
    const error = await failure('./no-such-tasks.mjs');
    expect(error.problem).toBe('not-found');
    expect(error.message).toMatch(/^SLUICE_TASKS: cannot load task types from \/.*\/no-such-tasks\.mjs: no such file/);
    expect(error.message).toContain(`"./no-such-tasks.mjs" taken from ${process.cwd()}`);
  });

  it('names --tasks instead when the path came from the command line', async () => {
    const error = await failure(project.path('missing.mjs'), '--tasks');
    expect(error.message).toBe(`--tasks: cannot load task types from ${project.path('missing.mjs')}: no such file`);
  });

  it('refuses a folder and a file that is not JavaScript', async () => {
    expect((await failure(project.dir)).message).toMatch(/it is a directory, not a module file$/);
    const typescript = await moduleOf('export default [];', '.ts');
    const error = await failure(typescript);
    expect(error.problem).toBe('not-a-module-file');
    expect(error.message).toMatch(/must be a \.js, \.mjs or \.cjs file/);
  });

  it('reports a module that does not parse, with the error and where it is', async () => {
    const path = await moduleOf('export default [;\n');
    const error = await failure(path);
    expect(error.problem).toBe('import-failed');
    expect(error.message).toMatch(/^SLUICE_TASKS: cannot load task types from .*: importing it failed:/);
    expect(error.message).toContain('SyntaxError');
    expect(error.message).toContain(path);
    expect(error.cause).toBeInstanceOf(SyntaxError);
  });

  it('reports a module that throws while it loads, with its error', async () => {
    const error = await failure(await moduleOf("throw new Error('no API token configured');"));
    expect(error.problem).toBe('import-failed');
    expect(error.message).toContain('Error: no API token configured');
  });

  it('reports a task type defineTaskType refused while the module loaded', async () => {
    const error = await failure(await moduleOf(HELLO_ESM.replace("'HELLO'", "'hello'")));
    expect(error.problem).toBe('import-failed');
    expect(error.message).toContain('Task type name "hello" must match');
  });

  it('says where to install a package the module cannot resolve', async () => {
    const error = await failure(await moduleOf("import 'left-pad-of-nowhere';\nexport default [];"));
    expect(error.problem).toBe('import-failed');
    expect(error.message).toContain("Cannot find package 'left-pad-of-nowhere'");
    expect(error.message).toContain('install left-pad-of-nowhere in the project that holds it');
  });

  it('refuses a module with neither a default export nor taskTypes', async () => {
    const error = await failure(await moduleOf(`${HELLO_ESM}`));
    expect(error.problem).toBe('no-task-types');
    expect(error.message).toMatch(/neither a default export nor a named export `taskTypes`$/);
  });

  it.each([
    ['an object', `${HELLO_ESM}\nexport default hello;`],
    ['a function', 'export default () => [];'],
    ['a string', "export const taskTypes = 'HELLO';"],
  ])('refuses task types that are %s, not an array', async (kind, text) => {
    const error = await failure(await moduleOf(text));
    expect(error.problem).toBe('not-an-array');
    expect(error.message).toMatch(new RegExp(`its task types are ${kind}, not an array of task types$`));
  });

  it('refuses an empty array', async () => {
    const error = await failure(await moduleOf('export default [];'));
    expect(error.problem).toBe('no-task-types');
    expect(error.message).toMatch(/its array of task types is empty$/);
  });

  it.each([
    [
      'a number',
      'export default [42];',
      'item 0 of the array is not a task type made with defineTaskType from @sluice/tasks: it is a number',
    ],
    [
      'no zod payload',
      "export default [{ name: 'PLAIN', payload: {}, handle: async () => [] }];",
      "PLAIN's `payload` is not a zod schema",
    ],
    [
      'no handler',
      "import { z } from 'zod';\nexport default [{ name: 'PLAIN', payload: z.string(), handle: 'later' }];",
      "PLAIN's `handle` is a string, not a function",
    ],
    [
      'a sink without a table',
      "import { z } from 'zod';\nexport default [{ name: 'PLAIN', payload: z.string(), handle: async () => [], sink: { rows: () => [] } }];",
      'PLAIN: `sink.table` must be a table name or schema.table',
    ],
  ])('refuses an item with %s', async (_, text, message) => {
    const error = await failure(await moduleOf(text));
    expect(error.problem).toBe('not-a-task-type');
    expect(error.message).toContain(message);
  });

  it.each([['lower'], [''], [42]])('refuses the invalid name %j', async (name) => {
    const error = await failure(
      await moduleOf(
        `import { z } from 'zod';\nexport default [{ name: ${JSON.stringify(name)}, payload: z.string(), handle: async () => [] }];`,
      ),
    );
    expect(error.problem).toBe('invalid-name');
    expect(error.message).toContain(`item 0 has the name ${JSON.stringify(name)}; a task type name must match`);
  });

  it('refuses two task types with one name', async () => {
    const error = await failure(await moduleOf(`${HELLO_ESM}\nexport default [hello, { ...hello }];`));
    expect(error.problem).toBe('duplicate-name');
    expect(error.message).toMatch(/: the task type name HELLO is used twice \(items 0 and 1\)$/);
  });
});

describe('processTaskTypes', () => {
  const demo = { failureRate: 0, workMs: 0 };

  it('runs the demo types when neither --tasks nor SLUICE_TASKS names a module', async () => {
    expect((await processTaskTypes({ demo })).map((type) => type.name)).toEqual(['EMAIL', 'SMS', 'PUSH']);
  });

  it('loads the module SLUICE_TASKS names, and names SLUICE_TASKS when it cannot', async () => {
    const path = await moduleOf(`${HELLO_ESM}\nexport default [hello];`);
    expect((await processTaskTypes({ tasksModule: path, demo })).map((type) => type.name)).toEqual(['HELLO']);
    await expect(processTaskTypes({ tasksModule: project.path('gone.mjs'), demo })).rejects.toThrow(/^SLUICE_TASKS: /);
  });

  it('loads the module --tasks names over SLUICE_TASKS, and names --tasks when it cannot', async () => {
    const path = await moduleOf(`${HELLO_ESM}\nexport default [hello];`);
    const settings = { tasksModule: project.path('gone.mjs'), demo };
    expect((await processTaskTypes(settings, path)).map((type) => type.name)).toEqual(['HELLO']);
    await expect(processTaskTypes({ demo }, project.path('gone.mjs'))).rejects.toThrow(/^--tasks: /);
  });
});
