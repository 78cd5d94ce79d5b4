import { type ChildProcess, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { tailOf } from '@sluice/testkit/servers';
import type { BuilderKind } from './builder.js';
import type { ImageUser } from './image-user.js';
import { runCommand } from './run-command.js';

/**
 * How processes start from the image: as containers of the engine where one can start, or,
 * where the container runtime cannot (here runc is refused its rlimits), with chroot into the
 * image's mounted filesystem as the image's own USER, with the image's ENV and WORKDIR.
 */
export type RunMode =
  | { readonly kind: 'container'; readonly builder: BuilderKind; readonly ref: string }
  | {
      readonly kind: 'chroot';
      readonly root: string;
      readonly user: ImageUser;
      readonly workingDir: string;
      readonly env: ReadonlyArray<string>;
    };

/** A process started from the image. */
export interface ImageProcess {
  readonly name: string;
  /** Its exit code (null if killed by a signal). */
  readonly exited: Promise<number | null>;
  /** The last 12 lines it has printed. */
  output(): string;
  /** Its process id on this machine, for reading its /proc status. */
  hostPid(): Promise<number | undefined>;
  /** SIGTERM, as `docker stop` sends; resolves with the exit code. */
  stop(): Promise<number | null>;
}

/**
 * Whether a container of the image can start here: runs `node -e` in one.
 *
 * @returns undefined when it can, else the engine's last line saying why not.
 */
export const containerProblem = async (builder: BuilderKind, ref: string): Promise<string | undefined> => {
  const probe = await runCommand(builder, ['run', '--rm', '--network', 'host', ref, 'node', '-e', ''], {
    timeoutMs: 120_000,
  });
  return probe.code === 0 ? undefined : (probe.output.split('\n').at(-1) ?? `exit ${probe.code}`);
};

/**
 * Starts `program` and follows it: its output, its exit, and how to find and stop what it runs.
 * `hostPid` and `stop` default to the child itself.
 */
const follow = (
  name: string,
  program: string,
  args: ReadonlyArray<string>,
  control: (child: ChildProcess, exited: Promise<number | null>) => Partial<Pick<ImageProcess, 'hostPid' | 'stop'>>,
): ImageProcess => {
  const child = spawn(program, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const output = tailOf(child, 12);
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  return {
    name,
    exited,
    output,
    hostPid: async () => child.pid,
    stop: async () => {
      child.kill('SIGTERM');
      return exited;
    },
    ...control(child, exited),
  };
};

/**
 * Starts `command` (`['node', 'apps/api/dist/main.js']`) from the image with `env` added to the
 * image's own, on the host's network.
 *
 * @example
 * const api = startFromImage(mode, 'api', ['node', 'apps/api/dist/main.js'], { PORT: '18038' });
 */
export const startFromImage = (
  mode: RunMode,
  name: string,
  command: ReadonlyArray<string>,
  env: Readonly<Record<string, string>>,
): ImageProcess => {
  const assignments = Object.entries(env).map(([key, value]) => `${key}=${value}`);
  if (mode.kind === 'container') {
    const container = `sluice-image-check-${name}-${process.pid}`;
    const args = ['run', '--rm', '--name', container, '--network', 'host'];
    return follow(
      name,
      mode.builder,
      [...args, ...assignments.flatMap((each) => ['-e', each]), mode.ref, ...command],
      (_child, exited) => ({
        hostPid: async () => {
          const inspect = await runCommand(mode.builder, ['inspect', '--format', '{{.State.Pid}}', container]);
          return inspect.code === 0 && Number(inspect.stdout) > 0 ? Number(inspect.stdout) : undefined;
        },
        // The engine's stop: SIGTERM to the container's node, as in production.
        stop: async () => {
          await runCommand(mode.builder, ['stop', '--time', '30', container]);
          return exited;
        },
      }),
    );
  }
  // `env -i` leaves exactly the image's ENV and ours; `-C` enters WORKDIR, and PATH from the
  // image's ENV finds its node. chroot and env both exec, so the child's pid is node's.
  const workingDir = mode.workingDir === '' ? '/' : mode.workingDir;
  const user = `--userspec=${mode.user.uid}:${mode.user.gid}`;
  return follow(
    name,
    'chroot',
    [user, mode.root, '/usr/bin/env', '-i', '-C', workingDir, ...mode.env, ...assignments, ...command],
    () => ({}),
  );
};

/**
 * The user a running process acts as, from its /proc status (`Uid: real effective saved fs`):
 * 0 when any of them is root, which could take root back, else the effective one.
 *
 * @example
 * await processUid(pid); // 1000
 */
export const processUid = async (pid: number): Promise<number | undefined> => {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const ids = /^Uid:\s+(\d+)\s+(\d+)\s+(\d+)/m.exec(status)?.slice(1).map(Number);
  if (ids === undefined) return undefined;
  return ids.includes(0) ? 0 : ids[1];
};
