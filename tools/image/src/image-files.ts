import { lstat, mkdtemp, readdir, readlink, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import type { BuilderKind } from './builder.js';
import { ImageToolError } from './image-tool-error.js';
import { mustRun, runCommand } from './run-command.js';

/** The parts of an image's config the check reads. */
export interface ImageConfig {
  /** `USER`: a name, a uid, `name:group`, or '' for root. */
  readonly user: string;
  readonly workingDir: string;
  /** `ENV`, as `NAME=value`. */
  readonly env: ReadonlyArray<string>;
  readonly cmd: ReadonlyArray<string>;
  /** The whole image, base layers included, as the engine counts it. */
  readonly sizeBytes: number;
}

/**
 * Reads the config and size of a built image.
 *
 * @throws {ImageToolError} when no image has that name.
 */
export const inspectImage = async (builder: BuilderKind, ref: string): Promise<ImageConfig> => {
  const { code, stdout, output } = await runCommand(builder, [
    'image',
    'inspect',
    '--format',
    '{{json .Config}}\t{{.Size}}',
    ref,
  ]);
  if (code !== 0) throw new ImageToolError(`no image ${ref} to check (${output.split('\n').at(-1)})`);
  const [configJson = '{}', size = '0'] = stdout.split('\t');
  const config = JSON.parse(configJson) as {
    User?: string;
    WorkingDir?: string;
    Env?: string[] | null;
    Cmd?: string[] | null;
  };
  return {
    user: config.User ?? '',
    workingDir: config.WorkingDir ?? '',
    env: config.Env ?? [],
    cmd: config.Cmd ?? [],
    sizeBytes: Number(size),
  };
};

/** The image's filesystem as a folder on this machine, until `release`. */
export interface OpenedImage {
  readonly root: string;
  release(): Promise<void>;
}

/**
 * Opens the image's filesystem: podman mounts it read-only where it is stored; Docker has no such
 * mount, so a stopped container of it is exported and unpacked into a temporary folder.
 *
 * @example
 * const image = await openImage('podman', 'localhost/sluice:dev');
 * try { await readFile(join(image.root, 'etc/passwd'), 'utf8'); } finally { await image.release(); }
 */
export const openImage = async (builder: BuilderKind, ref: string): Promise<OpenedImage> => {
  if (builder === 'podman') {
    const root = (await mustRun('podman', ['image', 'mount', ref])).stdout;
    return { root, release: async () => void (await runCommand('podman', ['image', 'unmount', ref])) };
  }
  const root = await mkdtemp(join(tmpdir(), 'sluice-image-'));
  const container = (await mustRun('docker', ['create', ref])).stdout;
  try {
    const tarball = join(root, '..', `${container}.tar`);
    await mustRun('docker', ['export', '-o', tarball, container]);
    await mustRun('tar', ['-xf', tarball, '-C', root]);
    await rm(tarball, { force: true });
  } finally {
    await runCommand('docker', ['rm', container]);
  }
  return { root, release: () => rm(root, { recursive: true, force: true }) };
};

/** One entry of a folder tree, its path relative to the folder walked, with `/` separators. */
export interface FileEntry {
  readonly path: string;
  readonly kind: 'file' | 'dir' | 'link';
  readonly bytes: number;
  /** A link's target, as stored. */
  readonly target?: string;
}

/**
 * Every file, folder and link under `dir`, links not followed.
 *
 * @example
 * const files = await walkFiles(join(image.root, 'app'));
 */
export const walkFiles = async (dir: string): Promise<ReadonlyArray<FileEntry>> => {
  const entries: FileEntry[] = [];
  const visit = async (relative: string): Promise<void> => {
    for (const name of await readdir(join(dir, relative))) {
      const path = relative === '' ? name : posix.join(relative, name);
      const stats = await lstat(join(dir, path));
      if (stats.isSymbolicLink()) {
        entries.push({ path, kind: 'link', bytes: 0, target: await readlink(join(dir, path)) });
      } else if (stats.isDirectory()) {
        entries.push({ path, kind: 'dir', bytes: 0 });
        await visit(path);
      } else {
        entries.push({ path, kind: 'file', bytes: stats.size });
      }
    }
  };
  await visit('');
  return entries;
};
