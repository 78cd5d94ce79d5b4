/**
 * Keeps one long-running child process (the api or a worker) alive while `npm start` runs.
 *
 * States:
 *
 *   idle ──start()──▶ running ──unexpected exit, retries left──▶ backoff ──timer──▶ running
 *                        │  └──unexpected exit, none left──▶ failed
 *                        └──stop()──▶ stopping ──child exits──▶ stopped
 *   backoff, failed, idle ──stop()──▶ stopped
 *
 * - idle: created, nothing spawned yet.
 * - running: a child is alive. Any exit we did not ask for (even with code 0) is a crash.
 * - backoff: the child crashed; a timer will spawn the next one. Each crash in a row doubles
 *   the delay, so a process that fails at once does not spin.
 * - failed: it crashed `maxRestarts + 1` times in a row; we gave up on it, loudly.
 * - stopping: SIGTERM sent (the worker flushes its open groups and commits); SIGKILL follows
 *   after the grace period, or at once on `kill()`.
 * - stopped: final; no child, no timer.
 *
 * A child that stayed up for `stableAfterMs` is considered healthy again: its next crash
 * starts the count from zero, so a worker that crashes once a day is restarted forever.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { LogStream } from './log-stream.js';

export type SupervisorState = 'idle' | 'running' | 'backoff' | 'failed' | 'stopping' | 'stopped';

export interface SupervisorOptions {
  /** The process's name in the log (`api`, `worker-1`). */
  readonly name: string;
  /** The program to run. Default: this Node binary. */
  readonly command?: string;
  readonly args: ReadonlyArray<string>;
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  readonly log: LogStream;
  /** How long a child may take to exit after SIGTERM before it gets SIGKILL, in ms. Default 35,000. */
  readonly stopGraceMs?: number;
  /** Delay before the first restart, in ms; doubled for each crash in a row. Default 1,000. */
  readonly backoffMs?: number;
  /** Longest delay between restarts, in ms. Default 10,000. */
  readonly maxBackoffMs?: number;
  /** Restarts after crashes in a row before giving up. Default 4 (five starts in all). */
  readonly maxRestarts?: number;
  /** Uptime after which a child counts as healthy and its crash count resets, in ms. Default 30,000. */
  readonly stableAfterMs?: number;
  /** Called on every state change, after the change. */
  readonly onStateChange?: (state: SupervisorState, supervisor: Supervisor) => void;
}

/** How a supervised process ended when it was asked to stop. */
export interface StopOutcome {
  readonly name: string;
  /** It exited by itself after SIGTERM with code 0 (or had nothing to stop). */
  readonly clean: boolean;
  readonly detail: string;
}

export interface Supervisor {
  readonly name: string;
  state(): SupervisorState;
  /** The running child's pid, if there is one. */
  pid(): number | undefined;
  start(): void;
  /** SIGTERM, wait up to the grace period, then SIGKILL. Resolves once no child is left. */
  stop(): Promise<StopOutcome>;
  /** SIGKILL now, for the second Ctrl-C; call after `stop()` so the exit is not taken for a crash. */
  kill(): void;
}

type Timing = 'stopGraceMs' | 'backoffMs' | 'maxBackoffMs' | 'maxRestarts' | 'stableAfterMs';

const DEFAULTS: Readonly<Record<Timing, number>> = {
  stopGraceMs: 35_000,
  backoffMs: 1_000,
  maxBackoffMs: 10_000,
  maxRestarts: 4,
  stableAfterMs: 30_000,
};
const TIMINGS = Object.keys(DEFAULTS) as ReadonlyArray<Timing>;

const ALLOWED: Readonly<Record<SupervisorState, ReadonlyArray<SupervisorState>>> = {
  idle: ['running', 'stopped'],
  running: ['backoff', 'failed', 'stopping'],
  backoff: ['running', 'stopped'],
  failed: ['stopped'],
  stopping: ['stopped'],
  stopped: [],
};

const describeExit = (code: number | null, signal: NodeJS.Signals | null): string =>
  signal !== null ? `killed by ${signal}` : `exit code ${code ?? '?'}`;

const seconds = (ms: number): string =>
  ms < 1_000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;

/**
 * Creates a supervisor for one child process. Nothing runs until `start()`.
 *
 * @example
 * const api = createSupervisor({ name: 'api', args: [paths.apiEntry], cwd, env, log });
 * api.start();
 * // … on Ctrl-C:
 * await api.stop();
 */
export const createSupervisor = (options: SupervisorOptions): Supervisor => {
  const settings: Readonly<Record<Timing, number>> = { ...DEFAULTS, ...definedOnly(options) };
  for (const key of TIMINGS) {
    if (!Number.isFinite(settings[key]) || settings[key] < 0) {
      throw new RangeError(`createSupervisor: ${key} must be a number ≥ 0 (got ${String(settings[key])})`);
    }
  }
  const { name, log } = options;

  let state: SupervisorState = 'idle';
  let child: ChildProcess | undefined;
  let startedAt = 0;
  let crashesInRow = 0;
  let restartTimer: NodeJS.Timeout | undefined;
  let killTimer: NodeJS.Timeout | undefined;
  let stopped: Promise<StopOutcome> | undefined;
  let settleStop: ((outcome: StopOutcome) => void) | undefined;

  const supervisor: Supervisor = {
    name,
    state: () => state,
    pid: () => child?.pid,
    start: () => {
      if (state !== 'idle') throw new Error(`${name}: start() called in state ${state}`);
      launch();
    },
    stop: () => {
      stopped ??= beginStop();
      return stopped;
    },
    kill: () => {
      if (child !== undefined && child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
      }
    },
  };

  function moveTo(next: SupervisorState): void {
    if (!ALLOWED[state].includes(next)) {
      throw new Error(`${name}: illegal supervisor transition ${state} → ${next}`);
    }
    state = next;
    options.onStateChange?.(next, supervisor);
  }

  function launch(): void {
    const started = spawn(options.command ?? process.execPath, options.args, {
      cwd: options.cwd,
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = started;
    startedAt = Date.now();
    moveTo('running');
    if (started.stdout) log.pipe(name, started.stdout);
    if (started.stderr) log.pipe(name, started.stderr);
    let reported = false;
    const onEnd = (code: number | null, signal: NodeJS.Signals | null, error?: Error): void => {
      // A spawn failure can emit both 'error' and 'exit'; handle the first only.
      if (reported) return;
      reported = true;
      exitedWith(started, code, signal, error);
    };
    started.once('error', (error) => onEnd(null, null, error));
    started.once('exit', (code, signal) => onEnd(code, signal));
  }

  function exitedWith(which: ChildProcess, code: number | null, signal: NodeJS.Signals | null, error?: Error): void {
    if (which !== child) return;
    child = undefined;
    const how = error ? `could not be started (${error.message})` : describeExit(code, signal);

    if (state === 'stopping') {
      if (killTimer !== undefined) clearTimeout(killTimer);
      const clean = error === undefined && code === 0;
      if (clean) log.line('devstack', `${name} stopped`);
      else log.line('devstack', `${name} exited while stopping (${how})`, 'warn');
      moveTo('stopped');
      settleStop?.({ name, clean, detail: how });
      return;
    }

    const uptime = Date.now() - startedAt;
    if (uptime >= settings.stableAfterMs) crashesInRow = 0;
    crashesInRow += 1;
    if (crashesInRow > settings.maxRestarts) {
      log.line(
        'devstack',
        `✗ ${name} died ${crashesInRow} times in a row (last: ${how}, after ${seconds(uptime)}) — ` +
          `giving up on it. Fix the error above, then restart \`npm start\`.`,
        'error',
      );
      moveTo('failed');
      return;
    }
    const delay = Math.min(settings.backoffMs * 2 ** (crashesInRow - 1), settings.maxBackoffMs);
    log.line(
      'devstack',
      `${name} exited unexpectedly (${how}, after ${seconds(uptime)}) — restarting in ${seconds(delay)} ` +
        `(restart ${crashesInRow} of ${settings.maxRestarts})`,
      'warn',
    );
    moveTo('backoff');
    restartTimer = setTimeout(() => {
      restartTimer = undefined;
      launch();
    }, delay);
  }

  function beginStop(): Promise<StopOutcome> {
    if (state !== 'running') {
      if (restartTimer !== undefined) clearTimeout(restartTimer);
      const detail = state === 'failed' ? 'had already given up' : 'was not running';
      if (state !== 'stopped') moveTo('stopped');
      return Promise.resolve({ name, clean: true, detail });
    }
    const running = child;
    return new Promise<StopOutcome>((resolve) => {
      settleStop = resolve;
      moveTo('stopping');
      running?.kill('SIGTERM');
      killTimer = setTimeout(() => {
        log.line(
          'devstack',
          `${name} did not stop within ${seconds(settings.stopGraceMs)} of SIGTERM — killing it (SIGKILL)`,
          'warn',
        );
        running?.kill('SIGKILL');
      }, settings.stopGraceMs);
    });
  }

  return supervisor;
};

/** The timing fields the caller set, so unset ones keep their defaults in a spread. */
const definedOnly = (options: SupervisorOptions): Partial<Record<Timing, number>> => {
  const picked: Partial<Record<Timing, number>> = {};
  for (const key of TIMINGS) {
    const value = options[key];
    if (value !== undefined) picked[key] = value;
  }
  return picked;
};
