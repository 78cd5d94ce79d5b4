/**
 * The run/exit shell of `npm run bench`, `chaos` and `scale`, so each `main.ts` holds only its
 * measurement's wiring. `runCommand` parses the command line, installs the signal handlers,
 * runs, writes the JSON result, prints the report and sets the exit status.
 *
 * Signals: the first SIGINT, SIGTERM or SIGHUP aborts the run's `signal` and the run stops what
 * it started; the second SIGKILLs everything through the run's kill switch and exits 130, for a
 * run that hangs while stopping. The kill switch also fires on exit, whatever way it comes.
 *
 * Exit status: 2 for a command line that cannot be used, 130 once interrupted, else the
 * command's `exitCode` of its result, or its `crashExitCode` when the run throws.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OptionError } from './option-error.js';

/** This file sits in tools/bench/src (or dist), three levels below the repository root. */
export const REPO_ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..', '..');

/** What a run is given to answer the signals. */
export interface RunControl {
  /** Aborted by the first signal: the run stops between steps and stops what it started. */
  readonly signal: AbortSignal;
  /** Takes the function that SIGKILLs every process the run started, without waiting. */
  readonly onKillSwitch: (killNow: () => void) => void;
}

/** What every command's options carry. */
export interface CommandOptions {
  readonly help: boolean;
  /** Where the JSON result goes. */
  readonly jsonPath: string;
}

export interface Command<Options extends CommandOptions, Result> {
  /** Shown as `<name> failed: …` when the run throws: `bench`, `chaos run`. */
  readonly name: string;
  /** Printed by `--help`. */
  readonly usage: string;
  /** Reads the arguments after `node main.js`; throws an `OptionError` for one it cannot use. */
  readonly parse: (argv: ReadonlyArray<string>) => Options;
  /** What the first signal does, as in `SIGINT: stopping after the current step`. */
  readonly stopping: string;
  readonly run: (options: Options, control: RunControl) => Promise<Result>;
  /** Prints the result, once it is written to `jsonPath` (shown relative to the working directory). */
  readonly report: (result: Result, jsonPath: string, options: Options) => void | Promise<void>;
  /** The exit status of a run that finished without an interrupt. */
  readonly exitCode: (result: Result) => number;
  /** The exit status of a run that threw without an interrupt. */
  readonly crashExitCode: number;
}

type Signal = 'SIGINT' | 'SIGTERM' | 'SIGHUP';

/** The part of `process` the shell uses, so a test can hand it a fake. */
export interface CommandHost {
  readonly argv: ReadonlyArray<string>;
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
  exitCode: number | string | undefined;
  on(event: Signal | 'exit', listener: (signal: Signal) => void): unknown;
  exit(code: number): void;
  cwd(): string;
}

const SIGNALS: ReadonlyArray<Signal> = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** `path` relative to `cwd` where it lies below it, else as given. */
const shownPath = (path: string, cwd: string): string => {
  const shown = relative(cwd, path);
  return shown === '' || shown.startsWith('..') || isAbsolute(shown) ? path : shown;
};

const describe = (error: unknown, withStack: boolean): string =>
  error instanceof Error ? ((withStack ? error.stack : undefined) ?? error.message) : String(error);

/** Installs the two-signal handlers and the exit hook on `host`. */
const handleSignals = (host: CommandHost, stopping: string, interrupted: AbortController): RunControl => {
  let killNow: (() => void) | undefined;
  const onSignal = (signal: Signal): void => {
    if (!interrupted.signal.aborted) {
      host.stderr.write(`\n${signal}: ${stopping} (again to kill at once)\n`);
      interrupted.abort();
      return;
    }
    host.stderr.write(`${signal} again: killing every process this run started\n`);
    killNow?.();
    host.exit(130);
  };
  for (const signal of SIGNALS) host.on(signal, onSignal);
  // However this process ends, nothing it started may outlive it.
  host.on('exit', () => killNow?.());
  return {
    signal: interrupted.signal,
    onKillSwitch: (kill) => {
      killNow = kill;
    },
  };
};

const execute = async <Options extends CommandOptions, Result>(
  command: Command<Options, Result>,
  host: CommandHost,
  interrupted: AbortController,
): Promise<number> => {
  let options: Options;
  try {
    options = command.parse(host.argv.slice(2));
  } catch (error) {
    if (!(error instanceof OptionError)) throw error;
    host.stderr.write(`${error.message}\n`);
    return 2;
  }
  if (options.help) {
    host.stdout.write(command.usage);
    return 0;
  }
  const result = await command.run(options, handleSignals(host, command.stopping, interrupted));
  await mkdir(dirname(options.jsonPath), { recursive: true });
  await writeFile(options.jsonPath, `${JSON.stringify(result, null, 2)}\n`);
  await command.report(result, shownPath(options.jsonPath, host.cwd()), options);
  return interrupted.signal.aborted ? 130 : command.exitCode(result);
};

/**
 * Runs `command` as this process's whole life and sets `host.exitCode`; resolves when done.
 *
 * @example
 * void runCommand({ name: 'scale run', usage: SCALE_USAGE, parse, stopping, run, report, exitCode, crashExitCode: 2 });
 */
export const runCommand = async <Options extends CommandOptions, Result>(
  command: Command<Options, Result>,
  host: CommandHost = process,
): Promise<void> => {
  const interrupted = new AbortController();
  try {
    host.exitCode = await execute(command, host, interrupted);
  } catch (error) {
    if (interrupted.signal.aborted) {
      host.stderr.write(`interrupted; every process this run started is stopped. ${describe(error, false)}\n`);
      host.exitCode = 130;
      return;
    }
    host.stderr.write(`${command.name} failed: ${describe(error, true)}\n`);
    host.exitCode = command.crashExitCode;
  }
};
