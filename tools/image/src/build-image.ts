import { access } from 'node:fs/promises';
import type { BuilderKind } from './builder.js';
import { ImageToolError } from './image-tool-error.js';
import { mustRun } from './run-command.js';

export interface BuildOptions {
  readonly builder: BuilderKind;
  /** The build context: the repository's root. */
  readonly context: string;
  readonly dockerfile: string;
  readonly tag: string;
  /** The Dockerfile's NODE_IMAGE; unset keeps its default, the real node:24-slim. */
  readonly nodeImage?: string | undefined;
  /** Passed as the build secret `npm_ca`, which the Dockerfile's `npm ci` steps trust. */
  readonly caFile?: string | undefined;
}

/**
 * The engine's build command. podman builds with chroot isolation and the host's network: where
 * containers cannot start (here, the runtime is refused its rlimits), a RUN step can still run.
 *
 * @example
 * buildCommand({ builder: 'docker', context: '.', dockerfile: 'deploy/Dockerfile', tag: 'sluice' });
 * // ['docker', ['build', '-f', 'deploy/Dockerfile', '-t', 'sluice', '.']]
 */
export const buildCommand = (options: BuildOptions): readonly [string, ReadonlyArray<string>] => [
  options.builder,
  [
    'build',
    ...(options.builder === 'podman' ? ['--isolation', 'chroot', '--network', 'host'] : []),
    '-f',
    options.dockerfile,
    ...(options.nodeImage === undefined ? [] : ['--build-arg', `NODE_IMAGE=${options.nodeImage}`]),
    ...(options.caFile === undefined ? [] : ['--secret', `id=npm_ca,src=${options.caFile}`]),
    '-t',
    options.tag,
    options.context,
  ],
];

/**
 * Builds the image, printing the engine's progress as it goes.
 *
 * @throws {ImageToolError} when the CA file is unreadable or the build fails.
 */
export const buildImage = async (options: BuildOptions, log: (line: string) => void): Promise<void> => {
  if (options.caFile !== undefined) {
    await access(options.caFile).catch(() => {
      throw new ImageToolError(`--ca-file ${options.caFile}: no such readable file`);
    });
  }
  const [program, args] = buildCommand(options);
  log(`build: ${program} ${args.join(' ')}`);
  const started = Date.now();
  // Docker builds with BuildKit (its default since Engine 23), which the secret mount needs.
  await mustRun(program, args, { echo: true });
  log(`build: ${options.tag} built in ${Math.round((Date.now() - started) / 1000)} s`);
};
