import { EventEmitter } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Command, type CommandHost, type RunControl, runCommand } from './command-shell.js';
import { OptionError } from './option-error.js';

/** A `process` stand-in: an emitter for the signals, and what was written and how it exited. */
const fakeHost = (cwd: string, ...args: string[]) => {
  const events = new EventEmitter();
  const written = { stdout: '', stderr: '' };
  const exits: number[] = [];
  const host: CommandHost = {
    argv: ['node', 'main.js', ...args],
    stdout: { write: (text: string) => (written.stdout += text) },
    stderr: { write: (text: string) => (written.stderr += text) },
    exitCode: undefined,
    on: (event, listener) => events.on(event, listener),
    exit: (code) => exits.push(code),
    cwd: () => cwd,
  };
  return { host, events, written, exits };
};

interface Options {
  readonly help: boolean;
  readonly jsonPath: string;
}

let dir = '';
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'command-shell-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A command whose run is `run`, writing to `<dir>/out/result.json` unless `--help`. */
const command = (
  run: (control: RunControl) => Promise<{ readonly ok: boolean }>,
  reported: string[] = [],
): Command<Options, { readonly ok: boolean }> => ({
  name: 'test run',
  usage: 'usage: test\n',
  parse: (argv) => {
    if (argv.some((arg) => arg !== '--help')) throw new OptionError(argv[0]?.slice(2), 'unknown flag (see --help)');
    return { help: argv.includes('--help'), jsonPath: join(dir, 'out', 'result.json') };
  },
  stopping: 'stopping after the current step',
  run: (_options, control) => run(control),
  report: (result, jsonPath) => {
    reported.push(`${result.ok} in ${jsonPath}`);
  },
  exitCode: (result) => (result.ok ? 0 : 1),
  crashExitCode: 2,
});

describe('runCommand', () => {
  it('writes the JSON result, reports it with the path relative to the working directory, and exits with the result’s code', async () => {
    const { host } = fakeHost(dir);
    const reported: string[] = [];
    await runCommand(
      command(async () => ({ ok: false }), reported),
      host,
    );
    expect(JSON.parse(await readFile(join(dir, 'out', 'result.json'), 'utf8'))).toEqual({ ok: false });
    expect(reported).toEqual([`false in ${join('out', 'result.json')}`]);
    expect(host.exitCode).toBe(1);
  });

  it('shows the JSON path as given when it lies outside the working directory', async () => {
    const { host } = fakeHost(join(dir, 'elsewhere'));
    const reported: string[] = [];
    await runCommand(
      command(async () => ({ ok: true }), reported),
      host,
    );
    expect(reported).toEqual([`true in ${join(dir, 'out', 'result.json')}`]);
    expect(host.exitCode).toBe(0);
  });

  it('exits 2 with the option’s message for a command line it cannot use, and runs nothing', async () => {
    const { host, written } = fakeHost(dir, '--nope');
    let ran = false;
    await runCommand(
      command(async () => {
        ran = true;
        return { ok: true };
      }),
      host,
    );
    expect(host.exitCode).toBe(2);
    expect(written.stderr).toBe('--nope: unknown flag (see --help)\n');
    expect(ran).toBe(false);
  });

  it('prints the usage for --help and exits 0 without a handler for the signals', async () => {
    const { host, events, written } = fakeHost(dir, '--help');
    await runCommand(
      command(async () => ({ ok: false })),
      host,
    );
    expect(written.stdout).toBe('usage: test\n');
    expect(host.exitCode).toBe(0);
    expect(events.listenerCount('SIGINT')).toBe(0);
  });

  it('stops at the first signal and exits 130, however the result came out', async () => {
    const { host, events, written, exits } = fakeHost(dir);
    await runCommand(
      command(async (control) => {
        events.emit('SIGTERM', 'SIGTERM');
        expect(control.signal.aborted).toBe(true);
        return { ok: true };
      }),
      host,
    );
    expect(written.stderr).toBe('\nSIGTERM: stopping after the current step (again to kill at once)\n');
    expect(host.exitCode).toBe(130);
    expect(exits).toEqual([]);
  });

  it('kills every process the run started and exits 130 at the second signal', async () => {
    const { host, events, written, exits } = fakeHost(dir);
    const kills: string[] = [];
    await runCommand(
      command(async (control) => {
        control.onKillSwitch(() => kills.push('killed'));
        events.emit('SIGINT', 'SIGINT');
        expect(kills).toEqual([]);
        events.emit('SIGINT', 'SIGINT');
        return { ok: true };
      }),
      host,
    );
    expect(kills).toEqual(['killed']);
    expect(exits).toEqual([130]);
    expect(written.stderr).toContain('SIGINT again: killing every process this run started\n');
  });

  it('kills every process the run started when the process exits', async () => {
    const { host, events } = fakeHost(dir);
    const kills: string[] = [];
    await runCommand(
      command(async (control) => {
        control.onKillSwitch(() => kills.push('killed'));
        return { ok: true };
      }),
      host,
    );
    events.emit('exit');
    expect(kills).toEqual(['killed']);
  });

  it('prints a run that throws with the command’s name and exits with its crash code', async () => {
    const { host, written } = fakeHost(dir);
    await runCommand(
      command(async () => {
        throw new Error('no redis-server');
      }),
      host,
    );
    expect(written.stderr).toMatch(/^test run failed: Error: no redis-server\n {4}at /);
    expect(host.exitCode).toBe(2);
  });

  it('exits 130 when the run throws because it was interrupted', async () => {
    const { host, events, written } = fakeHost(dir);
    await runCommand(
      command(async () => {
        events.emit('SIGHUP', 'SIGHUP');
        throw new Error('the run was interrupted');
      }),
      host,
    );
    expect(written.stderr).toContain(
      'interrupted; every process this run started is stopped. the run was interrupted\n',
    );
    expect(host.exitCode).toBe(130);
  });
});
