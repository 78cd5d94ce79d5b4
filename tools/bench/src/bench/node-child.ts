/**
 * A Node process the bench starts: the api, a Sluice worker or a baseline worker. Unlike the
 * test kit's `startNodeProcess` it passes command-line flags (the baseline worker takes its
 * settings that way) and keeps only the last lines of output, so a long run costs this process
 * no memory.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { exited, tailOf } from '@sluice/testkit/servers';
import { readPeakRssMb } from './proc-stats.js';

export interface NodeChild {
  readonly name: string;
  readonly pid: number;
  readonly child: ChildProcess;
  /** The last lines it printed. */
  tail(): string;
  /** Whether it is still running. */
  isUp(): boolean;
  /** Its peak resident set so far, in MB (`VmHWM`); `undefined` once it has exited. */
  peakRssMb(): Promise<number | undefined>;
  /** SIGTERM (a worker flushes its groups), SIGKILL after `graceMs`; resolves once it has exited. */
  stop(graceMs?: number): Promise<void>;
  /** SIGKILL without waiting: for a bench that is exiting now. */
  killNow(): void;
}

export interface NodeChildOptions {
  readonly name: string;
  readonly script: string;
  readonly args?: ReadonlyArray<string>;
  /** Flags for Node itself, before the script (`--cpu-prof` is refused in NODE_OPTIONS). */
  readonly nodeArgs?: ReadonlyArray<string>;
  /**
   * The child's whole environment besides PATH and HOME: settings left in the caller's shell
   * (a BATCH_SIZE, a QUEUE_NAME) must not change what the bench measures.
   */
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
}

/** The variables a Node process needs to find its way, passed through from the bench's shell. */
const PASSED_THROUGH = ['PATH', 'HOME', 'TMPDIR', 'LANG', 'TZ'] as const;

/**
 * Starts `node <script> <args…>`. It runs in a process group of its own, so a Ctrl-C at the
 * terminal reaches only the bench, which then stops its children in order.
 *
 * @example
 * const api = startNodeChild({ name: 'api', script, env: { PORT: '8038', … }, cwd: root });
 * await api.stop();
 */
export const startNodeChild = (options: NodeChildOptions): NodeChild => {
  const env: Record<string, string> = {};
  for (const name of PASSED_THROUGH) {
    // Pass-through of what any program needs to run, not configuration reading.
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), options.script, ...(options.args ?? [])], {
    cwd: options.cwd,
    env: { ...env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  if (child.pid === undefined) throw new Error(`${options.name} could not be started`);
  const pid = child.pid;
  const tail = tailOf(child, 60);
  const isUp = (): boolean => child.exitCode === null && child.signalCode === null;
  return {
    name: options.name,
    pid,
    child,
    tail,
    isUp,
    peakRssMb: () => (isUp() ? readPeakRssMb(pid) : Promise.resolve(undefined)),
    stop: async (graceMs = 30_000) => {
      if (!isUp()) return;
      child.kill('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<'late'>((resolve) => {
        timer = setTimeout(() => resolve('late'), graceMs);
      });
      const outcome = await Promise.race([exited(child), late]);
      clearTimeout(timer);
      if (outcome === 'late') {
        child.kill('SIGKILL');
        await exited(child);
        throw new Error(`${options.name} did not exit within ${graceMs} ms of SIGTERM:\n${tail()}`);
      }
    },
    killNow: () => {
      if (isUp()) child.kill('SIGKILL');
    },
  };
};
