import { spawn } from 'node:child_process';
import { ImageToolError } from './image-tool-error.js';

/** How a command ended. `output` is stdout and stderr interleaved, as a person would read them. */
export interface CommandResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly output: string;
}

export interface RunOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Written to the program's stdin, which is closed after it. */
  readonly input?: string | Buffer;
  /** Copies the program's output to this process's stderr as it comes: builds take a minute. */
  readonly echo?: boolean;
  /** Kills the program (SIGKILL) after this long; the result then has code null. */
  readonly timeoutMs?: number;
}

/**
 * Runs a program without a shell and collects what it prints. A program that is not installed
 * rejects with an {@link ImageToolError} naming it.
 *
 * @example
 * const { code, stdout } = await runCommand('podman', ['image', 'exists', ref]);
 */
export const runCommand = (
  program: string,
  args: ReadonlyArray<string>,
  options: RunOptions = {},
): Promise<CommandResult> =>
  new Promise((resolve, reject) => {
    const child = spawn(program, args, {
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
      ...(options.env === undefined ? {} : { env: options.env }),
    });
    let stdout = '';
    let output = '';
    const timer =
      options.timeoutMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      output += chunk.toString('utf8');
      if (options.echo === true) process.stderr.write(chunk);
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (options.echo === true) process.stderr.write(chunk);
    });
    child.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(error.code === 'ENOENT' ? new ImageToolError(`${program} is not installed (not found on PATH)`) : error);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: stdout.trim(), output: output.trim() });
    });
    if (options.input !== undefined) child.stdin?.end(options.input);
  });

/**
 * {@link runCommand} for a step that must succeed: a non-zero exit rejects with the command and
 * the last lines it printed.
 *
 * @example
 * const mountPoint = (await mustRun('podman', ['image', 'mount', ref])).stdout;
 */
export const mustRun = async (
  program: string,
  args: ReadonlyArray<string>,
  options: RunOptions = {},
): Promise<CommandResult> => {
  const result = await runCommand(program, args, options);
  if (result.code !== 0) {
    const tail = result.output.split('\n').slice(-15).join('\n');
    throw new ImageToolError(
      `${program} ${args.join(' ')} ${result.code === null ? 'timed out' : `exited with ${result.code}`}${
        options.echo === true || tail === '' ? '' : `:\n${tail}`
      }`,
    );
  }
  return result;
};
