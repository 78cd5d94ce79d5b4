import type { ChildProcess } from 'node:child_process';

/** Keeps the last `max` lines a child printed, for error messages that show why it died. */
export const tailOf = (child: ChildProcess, max = 40): (() => string) => {
  const lines: string[] = [];
  const keep = (chunk: Buffer): void => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (line.trim() === '') continue;
      lines.push(line);
      if (lines.length > max) lines.shift();
    }
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return () => lines.join('\n');
};

/** Resolves when `child` prints `marker` (stdout or stderr); rejects if it exits first. */
export const waitForOutput = (
  child: ChildProcess,
  marker: string | RegExp,
  describe: () => string,
  timeoutMs = 60_000,
): Promise<void> =>
  new Promise((resolve, reject) => {
    let seen = '';
    const onData = (chunk: Buffer): void => {
      seen = (seen + chunk.toString('utf8')).slice(-8_192);
      if (typeof marker === 'string' ? seen.includes(marker) : marker.test(seen)) finish();
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null): void =>
      finish(new Error(`exited (code ${code}, signal ${signal}) before it was ready:\n${describe()}`));
    const onError = (error: Error): void => finish(error);
    const timer = setTimeout(() => finish(new Error(`not ready after ${timeoutMs} ms:\n${describe()}`)), timeoutMs);
    function finish(error?: Error): void {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.stderr?.off('data', onData);
      child.off('exit', onExit);
      child.off('error', onError);
      if (error) reject(error);
      else resolve();
    }
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', onExit);
    child.once('error', onError);
  });

/** Resolves once `child` has exited (at once if it already has). */
export const exited = (child: ChildProcess): Promise<void> =>
  child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => child.once('exit', () => resolve()));
