/**
 * One of the stack's Node processes (the api or a worker), which the chaos run starts, kills
 * and starts again.
 *
 * States:
 *
 *   down ──start()──▶ up ──kill()──▶ down          (a fault: SIGKILL, we wait for the exit)
 *                      ├──exits by itself──▶ down  (reported through onUnexpectedExit)
 *                      └──stop()──▶ stopping ──exit──▶ down   (SIGTERM, SIGKILL after the grace)
 *
 * Output goes straight to a log file (the child writes to the file descriptor itself), so a
 * chatty worker costs this process nothing and the log survives for the post-mortem.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, closeSync, openSync, readFileSync } from 'node:fs';
import { exited } from '@sluice/testkit/servers';

export interface NodeServiceOptions {
  /** Shown in the log and in reports: `api`, `worker-2`. */
  readonly name: string;
  /** The script to run with this Node binary. */
  readonly entry: string;
  readonly cwd: string;
  /** The whole environment of the child; the generation number is passed to `env()`. */
  readonly env: (generation: number) => NodeJS.ProcessEnv;
  /** Appended to by every generation of the process. */
  readonly logFile: string;
  /** Milliseconds since the run started, for the marker lines we write into the log. */
  readonly clock: () => number;
  /** Called when the process exits without being killed or stopped by us. */
  readonly onUnexpectedExit?: (exit: UnexpectedExit) => void;
}

export interface UnexpectedExit {
  readonly service: string;
  readonly pid: number | undefined;
  readonly generation: number;
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly atMs: number;
  /** The last lines of the service's log when it exited. */
  readonly logTail: string;
}

export interface NodeService {
  readonly name: string;
  /** Starts a new generation; throws when one is already up. */
  start(): void;
  /** SIGKILL to the process; resolves with its pid once it has exited (undefined when it was not up). */
  kill(): Promise<number | undefined>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once it has exited. */
  stop(graceMs: number): Promise<void>;
  /** SIGKILL at once, without waiting: the last resort on the way out. */
  killNow(): void;
  isUp(): boolean;
  pid(): number | undefined;
  /** Times started so far. */
  generation(): number;
  /** Resolves when the log holds `marker` written after the latest start. */
  waitForLog(marker: string, timeoutMs: number): Promise<void>;
  /** The last lines of the log. */
  tail(lines: number): string;
}

/**
 * Creates a service; nothing runs until `start()`.
 *
 * @example
 * const worker = createNodeService({ name: 'worker-1', entry, cwd, env: () => env, logFile, clock });
 * worker.start();
 * await worker.waitForLog('worker started', 20_000);
 * await worker.kill();
 */
export const createNodeService = (options: NodeServiceOptions): NodeService => {
  const { name, logFile, clock } = options;
  let child: ChildProcess | undefined;
  let generation = 0;
  /** Children we signalled ourselves: their exit is not a surprise. */
  const expected = new WeakSet<ChildProcess>();
  /** Log size at the latest start, so waitForLog ignores earlier generations. */
  let logOffset = 0;

  const mark = (text: string): void => {
    appendFileSync(logFile, `--- chaos +${(clock() / 1000).toFixed(1)}s: ${name} ${text}\n`);
  };
  const up = (): boolean => child !== undefined && child.exitCode === null && child.signalCode === null;
  const readLog = (): Buffer => {
    try {
      return readFileSync(logFile);
    } catch {
      return Buffer.alloc(0);
    }
  };

  return {
    name,
    start: () => {
      if (up()) throw new Error(`${name} is already running (pid ${child?.pid})`);
      generation += 1;
      mark(`start (generation ${generation})`);
      logOffset = readLog().length;
      const fd = openSync(logFile, 'a');
      const started = spawn(process.execPath, [options.entry], {
        cwd: options.cwd,
        env: options.env(generation),
        stdio: ['ignore', fd, fd],
        // A group of its own: a Ctrl-C at the terminal reaches only us, and we stop the stack in
        // order instead of every process at once.
        detached: true,
      });
      closeSync(fd);
      child = started;
      const thisGeneration = generation;
      started.once('error', (error) => mark(`could not be started: ${error.message}`));
      started.once('exit', (code, signal) => {
        if (expected.has(started)) return;
        mark(`exited by itself (code ${code}, signal ${signal})`);
        options.onUnexpectedExit?.({
          service: name,
          pid: started.pid,
          generation: thisGeneration,
          code,
          signal,
          atMs: clock(),
          logTail: tailOf(readLog(), 20),
        });
      });
    },
    kill: async () => {
      const running = child;
      if (running === undefined || !up()) return undefined;
      expected.add(running);
      mark(`SIGKILL (pid ${running.pid})`);
      running.kill('SIGKILL');
      await exited(running);
      return running.pid;
    },
    stop: async (graceMs) => {
      const running = child;
      if (running === undefined || !up()) return;
      expected.add(running);
      mark(`SIGTERM (pid ${running.pid})`);
      running.kill('SIGTERM');
      const gone = await Promise.race([exited(running).then(() => true), sleep(graceMs).then(() => false)]);
      if (!gone) {
        mark(`did not exit within ${graceMs} ms of SIGTERM: SIGKILL`);
        running.kill('SIGKILL');
        await exited(running);
      }
    },
    killNow: () => {
      if (child !== undefined && up()) {
        expected.add(child);
        child.kill('SIGKILL');
      }
    },
    isUp: up,
    pid: () => (up() ? child?.pid : undefined),
    generation: () => generation,
    waitForLog: async (marker, timeoutMs) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        if (readLog().subarray(logOffset).includes(marker)) return;
        if (!up()) throw new Error(`${name} exited before it logged "${marker}":\n${tailOf(readLog(), 30)}`);
        if (Date.now() > deadline)
          throw new Error(`${name} did not log "${marker}" within ${timeoutMs} ms:\n${tailOf(readLog(), 30)}`);
        await sleep(100);
      }
    },
    tail: (lines) => tailOf(readLog(), lines),
  };
};

const tailOf = (log: Buffer, lines: number): string =>
  log.toString('utf8').trimEnd().split('\n').slice(-lines).join('\n');
