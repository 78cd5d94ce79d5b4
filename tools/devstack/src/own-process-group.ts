import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { stopLeftovers } from './leftovers.js';
import type { LogStream } from './log-stream.js';

/** How often we check that our parent is still the one that started us, in ms. */
const PARENT_CHECK_MS = 500;

/**
 * Runs `entry` (a Node script) in a process group of its own, relays stop signals to it, and
 * resolves with its exit code.
 *
 * Why: Ctrl-C makes the terminal send SIGINT to every process of the foreground group. Were
 * redis-server, postgres, the api and the workers in it, PostgreSQL and Redis would shut down
 * at the same moment as the workers that are still flushing their groups into them. In their
 * own group they hear nothing from the terminal; the stack stops them in order.
 *
 * Signals: the first SIGINT or SIGTERM is passed on (SIGHUP as SIGTERM), and the stack stops
 * cleanly; a second is passed on too, and the stack takes it as "force"; a third kills the
 * whole group at once. The
 * child also holds an IPC channel to us: if we die, even by SIGKILL, it sees the channel close
 * and stops itself. If it dies instead, what it started is still in its group: we stop that
 * (api and workers first, then the servers), so no server outlives `npm start`.
 *
 * Our own parent may go without a word to us: `npm start` runs us under `sh -c`, and a SIGTERM
 * sent to npm alone (a process manager, `kill <npm pid>`) ends npm and that shell but never
 * reaches us. So we also watch our parent, and a new parent (we were orphaned) counts as a
 * stop request.
 *
 * @example
 * process.exit(await runInOwnProcessGroup(fileURLToPath(new URL('./stack-main.js', import.meta.url)), [], log));
 */
export const runInOwnProcessGroup = (entry: string, args: ReadonlyArray<string>, log: LogStream): Promise<number> =>
  new Promise((resolve, reject) => {
    const posix = process.platform !== 'win32';
    const child = spawn(process.execPath, [entry, ...args], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      // On POSIX this makes the child a session and group leader, away from the terminal's group.
      detached: posix,
    });
    let received = 0;
    let lastAt = 0;
    const relay = (signal: NodeJS.Signals): void => {
      // The same keypress can reach us twice (from the terminal and relayed by a parent):
      // a repeat within this window is not a second Ctrl-C.
      const now = Date.now();
      if (now - lastAt < 100) return;
      lastAt = now;
      received += 1;
      if (received <= 2 || !posix || child.pid === undefined) {
        // SIGINT stays SIGINT so the stack can say "Ctrl-C"; a hang-up asks for a clean stop.
        child.kill(signal === 'SIGHUP' ? 'SIGTERM' : signal);
        return;
      }
      log.line('devstack', `${signal} again: killing everything (SIGKILL)`, 'error');
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // The group is gone already.
      }
    };
    const signals: ReadonlyArray<NodeJS.Signals> = ['SIGINT', 'SIGTERM', 'SIGHUP'];
    for (const signal of signals) process.on(signal, relay);
    const parent = process.ppid;
    const orphanWatch = setInterval(() => {
      if (process.ppid === parent) return;
      clearInterval(orphanWatch);
      log.line('devstack', 'npm start was stopped (its process went away) — stopping', 'notice');
      child.kill('SIGTERM');
    }, PARENT_CHECK_MS);
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      clearInterval(orphanWatch);
      for (const name of signals) process.off(name, relay);
      // The shell's convention for a death by signal: 128 + its number.
      const status = code ?? 128 + (signal === null ? 0 : constants.signals[signal]);
      if (signal !== null) log.line('devstack', `✗ the devstack died (${signal})`, 'error');
      const orphans =
        posix && child.pid !== undefined ? stopLeftovers({ deadOwner: child.pid, log }) : Promise.resolve();
      orphans.then(
        () => resolve(status),
        () => resolve(status),
      );
    });
  });
