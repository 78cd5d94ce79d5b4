import { describe, expect, it } from 'vitest';
import { createLogStream } from './log-stream.js';
import { createSupervisor, type SupervisorOptions, type SupervisorState } from './supervisor.js';
import { captureOutput } from './test-output.js';

/** A supervisor of `node -e script`, with timings short enough for a test. */
const supervise = (script: string, overrides: Partial<SupervisorOptions> = {}) => {
  const out = captureOutput();
  const states: SupervisorState[] = [];
  const supervisor = createSupervisor({
    name: 'worker-1',
    args: ['-e', script],
    cwd: process.cwd(),
    env: process.env,
    log: createLogStream({ out: out.stream, colour: false }),
    backoffMs: 20,
    maxBackoffMs: 50,
    maxRestarts: 2,
    stopGraceMs: 2_000,
    onStateChange: (state) => states.push(state),
    ...overrides,
  });
  return { supervisor, out, states };
};

const until = async (condition: () => boolean, what: string): Promise<void> => {
  const deadline = Date.now() + 60_000; // a hang guard, generous for a loaded 2-core machine
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

/** Prints `ready` once its SIGTERM handler is in place, so a test knows it may signal it. */
const GRACEFUL = `
  process.on('SIGTERM', () => { console.log('flushing'); setTimeout(() => process.exit(0), 50); });
  console.log('ready'); setInterval(() => {}, 1000);`;

describe('createSupervisor', () => {
  it('restarts a crashing process with growing delays, then gives up and says so', async () => {
    const { supervisor, out, states } = supervise(`console.error('boom'); process.exit(3)`);
    supervisor.start();
    await until(() => supervisor.state() === 'failed', 'the supervisor to give up');
    expect(states).toEqual(['running', 'backoff', 'running', 'backoff', 'running', 'failed']);
    const text = out.text();
    expect(text).toContain('worker-1 │ boom');
    expect(text).toContain('worker-1 exited unexpectedly (exit code 3');
    expect(text).toContain('restarting in 20 ms (restart 1 of 2)');
    expect(text).toContain('worker-1 died 3 times in a row');
    expect(text).toContain('giving up on it');
    expect(await supervisor.stop()).toMatchObject({ clean: true, detail: 'had already given up' });
  });

  it('treats an exit with code 0 that nobody asked for as a crash', async () => {
    const { supervisor, out } = supervise(`process.exit(0)`, { maxRestarts: 0 });
    supervisor.start();
    await until(() => supervisor.state() === 'failed', 'the supervisor to give up');
    expect(out.text()).toContain('exit code 0');
  });

  it('stops a process with SIGTERM and waits for it to finish its work', async () => {
    const { supervisor, out, states } = supervise(GRACEFUL);
    supervisor.start();
    await until(() => out.text().includes('ready'), 'the child to be ready');
    const outcome = await supervisor.stop();
    expect(outcome).toEqual({ name: 'worker-1', clean: true, detail: 'exit code 0' });
    expect(out.lines()).toEqual(['worker-1 │ ready', 'worker-1 │ flushing', 'devstack │ worker-1 stopped']);
    expect(states).toEqual(['running', 'stopping', 'stopped']);
  });

  it('kills a process that ignores SIGTERM once the grace period is over', async () => {
    const { supervisor, out } = supervise(
      `process.on('SIGTERM', () => {}); console.log('ready'); setInterval(() => {}, 1000);`,
      { stopGraceMs: 200 },
    );
    supervisor.start();
    await until(() => out.text().includes('ready'), 'the child to be ready');
    const outcome = await supervisor.stop();
    expect(outcome.clean).toBe(false);
    expect(outcome.detail).toBe('killed by SIGKILL');
    expect(out.text()).toContain('did not stop within 200 ms of SIGTERM — killing it (SIGKILL)');
  });

  it('kills at once on kill() during a stop, without restarting', async () => {
    const { supervisor, out, states } = supervise(
      `process.on('SIGTERM', () => {}); console.log('ready'); setInterval(() => {}, 1000);`,
      { stopGraceMs: 30_000 },
    );
    supervisor.start();
    await until(() => out.text().includes('ready'), 'the child to be ready');
    const stopping = supervisor.stop();
    supervisor.kill();
    expect((await stopping).detail).toBe('killed by SIGKILL');
    expect(states).toEqual(['running', 'stopping', 'stopped']);
  });

  it('cancels a pending restart when stopped during its backoff', async () => {
    const { supervisor, states } = supervise(`process.exit(1)`, { backoffMs: 60_000, maxBackoffMs: 60_000 });
    supervisor.start();
    await until(() => supervisor.state() === 'backoff', 'the first crash');
    expect(await supervisor.stop()).toMatchObject({ clean: true, detail: 'was not running' });
    expect(states).toEqual(['running', 'backoff', 'stopped']);
    expect(supervisor.pid()).toBeUndefined();
  });

  it('refuses timings that make no sense, naming the field', () => {
    expect(() => supervise('', { backoffMs: -1 })).toThrow(/backoffMs must be a number ≥ 0/);
  });
});
