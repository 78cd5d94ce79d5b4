import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';

/** Where the command line writes: `console` in the bin, a recorder in specs. */
export interface CliOutput {
  log(line: string): void;
  error(line: string): void;
}

export const USAGE = `Usage: sluice <command> [--tasks PATH]

Commands:
  api       the HTTP api: takes tasks, answers queries, serves the dashboard (PORT, default 8038)
  worker    a worker: takes tasks off the queue, runs them in groups, commits the results
  migrate   creates the database if it is missing and applies Sluice's migrations

Options:
  --tasks PATH   your task module (api and worker), over SLUICE_TASKS; without either,
                 the demo task types EMAIL, SMS and PUSH run
  -h, --help     this text
  -v, --version  the version of sluice

Every other setting comes from the environment: REDIS_URL, DATABASE_URL, BATCH_SIZE, …
(docs/configuration.md lists them all). The api and every worker must load the same module.`;

const COMMANDS = ['api', 'worker', 'migrate'] as const;
type Command = (typeof COMMANDS)[number];

const isCommand = (value: string | undefined): value is Command => COMMANDS.includes(value as Command);

const version = (): string => (createRequire(import.meta.url)('../package.json') as { version: string }).version;

/** What a command line asks for, or why it cannot be done. */
type Parsed =
  | { readonly kind: 'help' | 'version' }
  | { readonly kind: 'run'; readonly command: Command; readonly tasksPath?: string }
  | { readonly kind: 'usage-error'; readonly message: string };

const parse = (args: ReadonlyArray<string>): Parsed => {
  let values: { tasks?: string | undefined; help?: boolean | undefined; version?: boolean | undefined };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: [...args],
      allowPositionals: true,
      options: {
        tasks: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
    }));
  } catch (error) {
    return { kind: 'usage-error', message: (error as Error).message };
  }
  if (values.help) return { kind: 'help' };
  if (values.version) return { kind: 'version' };
  const [command, ...extra] = positionals;
  if (command === undefined) return { kind: 'usage-error', message: 'a command is required: api, worker or migrate' };
  if (!isCommand(command)) {
    return { kind: 'usage-error', message: `unknown command ${JSON.stringify(command)}: use api, worker or migrate` };
  }
  if (extra.length > 0) return { kind: 'usage-error', message: `unexpected argument ${JSON.stringify(extra[0])}` };
  if (values.tasks === '') return { kind: 'usage-error', message: '--tasks needs the path of a task module' };
  if (command === 'migrate' && values.tasks !== undefined) {
    return {
      kind: 'usage-error',
      message: 'migrate takes no --tasks: the migrations are the same for every task module',
    };
  }
  return { kind: 'run', command, ...(values.tasks === undefined ? {} : { tasksPath: values.tasks }) };
};

const migrate = async (out: CliOutput): Promise<number> => {
  const { ConfigError, loadConfig } = await import('@sluice/config');
  const { runMigrateCommand } = await import('@sluice/store');
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    out.error(error.message);
    return 1;
  }
  return runMigrateCommand(config.databaseUrl, out, { partitions: config.partitions });
};

/**
 * Runs the `sluice` command line `args` (without `node` and the script). Resolves to the exit
 * code of a command that ends (help, version, a usage error: 2, migrate), or `undefined` once
 * the api or the worker is running: its process shell then owns the process, its signals and its
 * exit. Each command loads only its own code, so `sluice worker` never loads Express.
 *
 * @example
 * const code = await runCli(['worker', '--tasks', './tasks.mjs']);
 * if (code !== undefined) process.exitCode = code;
 */
export const runCli = async (args: ReadonlyArray<string>, out: CliOutput = console): Promise<number | undefined> => {
  const parsed = parse(args);
  switch (parsed.kind) {
    case 'help':
      out.log(USAGE);
      return 0;
    case 'version':
      out.log(version());
      return 0;
    case 'usage-error':
      out.error(`sluice: ${parsed.message}\n\n${USAGE}`);
      return 2;
    case 'run': {
      if (parsed.command === 'migrate') return migrate(out);
      const { API_NODE_OPTIONS, WORKER_NODE_OPTIONS } = await import('@sluice/config');
      const flags = parsed.command === 'api' ? API_NODE_OPTIONS : WORKER_NODE_OPTIONS;
      const options = {
        ...(parsed.tasksPath === undefined ? {} : { tasksPath: parsed.tasksPath }),
        tunedCommand: `NODE_OPTIONS='${flags}' ${['sluice', ...args].join(' ')}`,
      };
      if (parsed.command === 'api') await (await import('@sluice/api/process')).runApiProcess(options);
      else await (await import('@sluice/worker/process')).runWorkerProcess(options);
      return undefined;
    }
  }
};
