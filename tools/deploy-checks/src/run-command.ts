import { spawn } from 'node:child_process';

/** How a command ended: its exit code and everything it printed (stdout and stderr). */
export interface CommandResult {
  readonly code: number | null;
  readonly output: string;
}

/**
 * Runs a program to completion without a shell. A program that is not installed rejects with
 * `hint`, which says how to install it.
 *
 * @example
 * const { code, output } = await runCommand('promtool', ['check', 'config', file], { hint });
 */
export const runCommand = (
  program: string,
  args: ReadonlyArray<string>,
  options: { readonly cwd?: string; readonly hint?: string } = {},
): Promise<CommandResult> =>
  new Promise((resolve, reject) => {
    const child = spawn(program, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'ENOENT' && options.hint !== undefined ? new Error(options.hint) : error),
    );
    child.once('close', (code) => resolve({ code, output: output.trim() }));
  });
