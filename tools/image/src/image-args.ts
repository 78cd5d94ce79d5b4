/** What `npm run image` was asked to do. */
export interface ImageArgs {
  /** Run migrate, the api and a worker from the image and audit it (`--check`). */
  readonly check: boolean;
  /** Skip the build and check the image already tagged `tag` (`--no-build`). */
  readonly build: boolean;
  /** The image's name (`--tag`). */
  readonly tag: string;
  /** The Dockerfile, relative to the repository or absolute (`--dockerfile`). */
  readonly dockerfile: string;
  /**
   * A PEM bundle of extra certificate authorities the build's `npm ci` trusts (`--ca-file`), for
   * networks that reach the registry through a TLS-inspecting proxy. Default: the
   * NODE_EXTRA_CA_CERTS this command itself runs with, if any.
   */
  readonly caFile: string | undefined;
  /** Which engine builds (`--builder`): `auto` takes Docker when its daemon answers, else podman. */
  readonly builder: 'auto' | 'docker' | 'podman';
  readonly help: boolean;
}

export const DEFAULT_TAG = 'localhost/sluice:dev';
export const DEFAULT_DOCKERFILE = 'deploy/Dockerfile';

export const IMAGE_USAGE = `Usage: npm run image -- [options]

Builds deploy/Dockerfile: with docker build when a Docker daemon answers, else with podman on a
node:24-slim stand-in built from Debian packages and npm's Node (cached between runs).

Options:
  --check              then run migrate, the api and a worker from the image against the local
                       Redis and PostgreSQL, submit tasks, and audit what the image holds
  --no-build           check the image already built under --tag (with --check)
  --tag NAME           the image's name (default ${DEFAULT_TAG})
  --dockerfile PATH    another Dockerfile, built with the repository as context (default ${DEFAULT_DOCKERFILE})
  --ca-file PATH       extra CA certificates for the build's npm ci (default: $NODE_EXTRA_CA_CERTS)
  --builder NAME       auto, docker or podman (default auto)
  --help               this text

The check runs against REDIS_URL (default redis://127.0.0.1:6379) and the PostgreSQL server of
DATABASE_URL (default postgres://postgres@127.0.0.1:5432), in a queue and a database of its own
(sluice-image-check, sluice_image_check) that it empties before and drops after.`;

/**
 * Reads the command line. `caFileDefault` is the environment's NODE_EXTRA_CA_CERTS, read once by
 * the caller.
 *
 * @throws {Error} naming an unknown option or a missing value.
 * @example
 * parseImageArgs(['--check'], undefined); // { check: true, build: true, tag: 'localhost/sluice:dev', … }
 */
export const parseImageArgs = (argv: ReadonlyArray<string>, caFileDefault: string | undefined): ImageArgs => {
  let check = false;
  let build = true;
  let help = false;
  let tag = DEFAULT_TAG;
  let dockerfile = DEFAULT_DOCKERFILE;
  let caFile = caFileDefault === '' ? undefined : caFileDefault;
  let builder: ImageArgs['builder'] = 'auto';
  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index] ?? '';
    const value = (): string => {
      const next = argv[index + 1];
      if (next === undefined || next.startsWith('--')) throw new Error(`${arg} needs a value`);
      index += 1;
      return next;
    };
    if (arg === '--check') check = true;
    else if (arg === '--no-build') build = false;
    else if (arg === '--help' || arg === '-h') help = true;
    else if (arg === '--tag') tag = value();
    else if (arg === '--dockerfile') dockerfile = value();
    else if (arg === '--ca-file') caFile = value();
    else if (arg === '--builder') {
      const name = value();
      if (name !== 'auto' && name !== 'docker' && name !== 'podman') {
        throw new Error(`--builder must be auto, docker or podman, not "${name}"`);
      }
      builder = name;
    } else throw new Error(`unknown option "${arg}" (npm run image -- --help lists them)`);
  }
  if (!build && !check) throw new Error('--no-build only makes sense with --check');
  return { check, build, tag, dockerfile, caFile, builder, help };
};
