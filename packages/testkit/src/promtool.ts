import { spawn } from 'node:child_process';
import { PROMETHEUS_INSTALL_HINT } from './prometheus-server.js';

/** What promtool said: its exit code and everything it printed. */
export interface PromtoolResult {
  readonly code: number | null;
  readonly output: string;
}

/**
 * Runs `promtool check metrics` on an exposition (what a `/metrics` endpoint served): it lints
 * names, units, help texts and types. Code 0 and no output means no problems.
 *
 * @example
 * const lint = await checkMetrics(await (await fetch(`${url}/metrics`)).text());
 * expect(lint).toEqual({ code: 0, output: '' });
 */
export const checkMetrics = (exposition: string, binary = 'promtool'): Promise<PromtoolResult> =>
  new Promise((resolve, reject) => {
    const child = spawn(binary, ['check', 'metrics'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'ENOENT' ? new Error(PROMETHEUS_INSTALL_HINT) : error),
    );
    child.once('close', (code) => resolve({ code, output: output.trim() }));
    child.stdin.end(exposition);
  });
