import { EventEmitter } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type CommandHost, type RunControl, runCommand } from './command-shell.js';
import { OptionError } from './option-error.js';

let dir = '';
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'command-shell-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

/**
 * Runs a command whose run is `run` on a stand-in for `process` (an emitter for the signals)
 * with `args`; its JSON goes to `<dir>/out/result.json`, its report and exit are recorded.
 */
const runWith = async (
  run: (control: RunControl, signals: EventEmitter) => Promise<{ readonly ok: boolean }>,
  { args = [] as string[], cwd = dir } = {},
) => {
  const signals = new EventEmitter();
  const seen = { stdout: '', stderr: '', reported: [] as string[], exits: [] as number[] };
  const host: CommandHost = {
    argv: ['node', 'main.js', ...args],
    stdout: { write: (text: string) => (seen.stdout += text) },
    stderr: { write: (text: string) => (seen.stderr += text) },
    exitCode: undefined,
    on: (event, listener) => signals.on(event, listener),
    exit: (code) => seen.exits.push(code),
    cwd: () => cwd,
  };
  await runCommand(
    {
      name: 'test run',
      usage: 'usage: test\n',
      parse: (argv) => {
        const unknown = argv.find((arg) => arg !== '--help');
        if (unknown !== undefined) throw new OptionError(unknown.slice(2), 'unknown flag');
        return { help: argv.includes('--help'), jsonPath: join(dir, 'out', 'result.json') };
      },
      stopping: 'stopping after the current step',
      run: (_options, control) => run(control, signals),
      report: (result, jsonPath) => {
        seen.reported.push(`${result.ok} in ${jsonPath}`);
      },
      exitCode: (result) => (result.ok ? 0 : 1),
      crashExitCode: 2,
    },
    host,
  );
  return { ...seen, exitCode: host.exitCode, signals };
};

describe('runCommand', () => {
  it('writes the JSON, reports its path below the working directory, and exits with the result’s code', async () => {
    const seen = await runWith(async () => ({ ok: false }));
    expect(JSON.parse(await readFile(join(dir, 'out', 'result.json'), 'utf8'))).toEqual({ ok: false });
    expect(seen.reported).toEqual([`false in ${join('out', 'result.json')}`]);
    expect(seen.exitCode).toBe(1);
  });

  it('reports the JSON path as given when it lies outside the working directory', async () => {
    const seen = await runWith(async () => ({ ok: true }), { cwd: join(dir, 'elsewhere') });
    expect(seen.reported).toEqual([`true in ${join(dir, 'out', 'result.json')}`]);
    expect(seen.exitCode).toBe(0);
  });

  it('exits 2 with the option’s message for a command line it cannot use, and runs nothing', async () => {
    const seen = await runWith(() => Promise.reject(new Error('ran')), { args: ['--nope'] });
    expect(seen.stderr).toBe('--nope: unknown flag\n');
    expect(seen.exitCode).toBe(2);
  });

  it('prints the usage for --help and exits 0 without touching the signals', async () => {
    const seen = await runWith(() => Promise.reject(new Error('ran')), { args: ['--help'] });
    expect(seen.stdout).toBe('usage: test\n');
    expect(seen.exitCode).toBe(0);
    expect(seen.signals.listenerCount('SIGINT')).toBe(0);
  });

  it('aborts the run at the first signal and exits 130, whatever the result says', async () => {
    const seen = await runWith(async (control, signals) => {
      signals.emit('SIGTERM', 'SIGTERM');
      return { ok: control.signal.aborted };
    });
    expect(seen.reported).toEqual([`true in ${join('out', 'result.json')}`]);
    expect(seen.stderr).toBe('\nSIGTERM: stopping after the current step (again to kill at once)\n');
    expect(seen.exitCode).toBe(130);
    expect(seen.exits).toEqual([]);
  });

  it('kills every process the run started and exits 130 at the second signal, and again on exit', async () => {
    const kills: string[] = [];
    const seen = await runWith(async (control, signals) => {
      control.onKillSwitch(() => kills.push('killed'));
      signals.emit('SIGINT', 'SIGINT');
      signals.emit('SIGINT', 'SIGINT');
      return { ok: true };
    });
    expect(kills).toEqual(['killed']);
    expect(seen.exits).toEqual([130]);
    expect(seen.stderr).toContain('SIGINT again: killing every process this run started\n');
    seen.signals.emit('exit');
    expect(kills).toEqual(['killed', 'killed']);
  });

  it('prints a run that throws with the command’s name and exits with its crash code', async () => {
    const seen = await runWith(() => Promise.reject(new Error('no redis-server')));
    expect(seen.stderr).toMatch(/^test run failed: Error: no redis-server\n {4}at /);
    expect(seen.exitCode).toBe(2);
  });

  it('exits 130 when the run throws because it was interrupted', async () => {
    const seen = await runWith(async (_control, signals) => {
      signals.emit('SIGHUP', 'SIGHUP');
      throw new Error('the run was interrupted');
    });
    expect(seen.stderr).toContain('interrupted; every process this run started is stopped. the run was interrupted\n');
    expect(seen.exitCode).toBe(130);
  });
});
