import { spawn, type ChildProcess } from 'node:child_process';

/** A Node.js script running as a child process, with its output kept for assertions. */
export interface NodeProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  /** Everything it printed so far (stdout and stderr interleaved). */
  output(): string;
  /** Resolves with the first printed line matching `pattern` (including lines already printed). */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Settles once the process has exited. */
  readonly exited: Promise<{ readonly code: number | null; readonly signal: NodeJS.Signals | null }>;
  /** Sends `signal` (default SIGTERM) unless it has exited already. */
  kill(signal?: NodeJS.Signals): void;
}

export interface NodeProcessOptions {
  /** Arguments after the script, as a command line gives them (`['api', '--tasks', 'tasks.mjs']`). */
  readonly args?: ReadonlyArray<string>;
  /** The working directory; default the parent's. */
  readonly cwd?: string;
}

/**
 * Runs `node <script> [args]` with the parent's environment plus `env` — how tests start the
 * real api and worker entry points (`dist/main.js`) and the `sluice` bin as separate processes.
 *
 * @example
 * const worker = startNodeProcess(workerMain, { REDIS_URL, DATABASE_URL });
 * await worker.waitForOutput(/worker started/);
 * worker.kill('SIGKILL');
 */
export const startNodeProcess = (
  script: string,
  env: Readonly<Record<string, string>>,
  options: NodeProcessOptions = {},
): NodeProcess => {
  // Pass-through of the parent's environment (PATH and friends), not configuration reading.
  const child = spawn(process.execPath, [script, ...(options.args ?? [])], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
  });
  let text = '';
  const listeners = new Set<() => void>();
  const onData = (chunk: Buffer): void => {
    text += chunk.toString('utf8');
    for (const listener of listeners) listener();
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    pid: child.pid ?? -1,
    output: () => text,
    exited,
    kill: (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
    waitForOutput: (pattern, timeoutMs = 30_000) =>
      new Promise<string>((resolve, reject) => {
        const check = (): boolean => {
          const line = text.split('\n').find((candidate) => pattern.test(candidate));
          if (line === undefined) return false;
          finish();
          resolve(line);
          return true;
        };
        const timer = setTimeout(() => {
          finish();
          reject(new Error(`no output matching ${pattern} within ${timeoutMs} ms; it printed:\n${text.slice(-4_000)}`));
        }, timeoutMs);
        const onExit = (): void => {
          if (check()) return;
          finish();
          reject(new Error(`exited before printing ${pattern}; it printed:\n${text.slice(-4_000)}`));
        };
        function finish(): void {
          clearTimeout(timer);
          listeners.delete(listener);
          child.off('exit', onExit);
        }
        const listener = (): void => void check();
        if (check()) return;
        listeners.add(listener);
        child.once('exit', onExit);
      }),
  };
};
