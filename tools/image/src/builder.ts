import { ImageToolError } from './image-tool-error.js';
import { runCommand } from './run-command.js';

/** The engine that builds and runs the image: the `docker` or `podman` command. */
export type BuilderKind = 'docker' | 'podman';

const dockerAnswers = async (): Promise<boolean> => {
  // `docker --version` answers with the client alone; `docker info` needs the daemon.
  const result = await runCommand('docker', ['info', '--format', '{{.ServerVersion}}'], { timeoutMs: 15_000 }).catch(
    () => undefined,
  );
  return result?.code === 0 && result.stdout !== '';
};

const installed = async (program: string): Promise<boolean> =>
  (await runCommand(program, ['--version'], { timeoutMs: 15_000 }).catch(() => undefined))?.code === 0;

const PODMAN_HINT =
  'install podman, buildah, debootstrap and runc (apt-get install podman buildah debootstrap runc) and run as root';

/**
 * Picks the engine: Docker when its daemon answers (the real node:24-slim is then pulled), else
 * podman, which here needs root: the stand-in base is built with debootstrap and chroot, and the
 * check reads the image through `podman image mount`.
 *
 * @throws {ImageToolError} when the asked-for engine, or with `auto` any engine, is unusable.
 * @example
 * const kind = await chooseBuilder('auto'); // 'podman' on a machine without a Docker daemon
 */
export const chooseBuilder = async (wanted: 'auto' | BuilderKind): Promise<BuilderKind> => {
  if (wanted !== 'podman' && (await dockerAnswers())) return 'docker';
  if (wanted === 'docker') throw new ImageToolError('--builder docker: no Docker daemon answers `docker info`');
  const why = wanted === 'podman' ? '--builder podman' : 'no Docker daemon answers `docker info`, and';
  // Root first: debootstrap is in /usr/sbin, on root's PATH only.
  if (process.getuid?.() !== 0) {
    throw new ImageToolError(`${why} podman builds only as root (debootstrap, chroot, podman image mount)`);
  }
  // debootstrap makes the base podman builds on (it has no --version: its usage answers).
  const missing = [
    ...((await installed('podman')) ? [] : ['podman']),
    ...((await runCommand('debootstrap', ['--help']).catch(() => undefined))?.code === 0 ? [] : ['debootstrap']),
  ];
  if (missing.length > 0) {
    const verb = missing.length === 1 ? 'is' : 'are';
    throw new ImageToolError(`${why} ${missing.join(' and ')} ${verb} not installed: ${PODMAN_HINT}`);
  }
  return 'podman';
};
