import { describe, expect, it } from 'vitest';
import { DEFAULT_DOCKERFILE, DEFAULT_TAG, parseImageArgs } from './image-args.js';

describe('parseImageArgs', () => {
  it('builds deploy/Dockerfile under the default tag when given nothing', () => {
    expect(parseImageArgs([], undefined)).toEqual({
      check: false,
      build: true,
      tag: DEFAULT_TAG,
      dockerfile: DEFAULT_DOCKERFILE,
      caFile: undefined,
      builder: 'auto',
      help: false,
    });
  });

  it('takes the CA bundle from NODE_EXTRA_CA_CERTS unless --ca-file names another', () => {
    expect(parseImageArgs([], '/etc/ssl/certs/ca.crt').caFile).toBe('/etc/ssl/certs/ca.crt');
    expect(parseImageArgs(['--ca-file', '/tmp/proxy.pem'], '/etc/ssl/certs/ca.crt').caFile).toBe('/tmp/proxy.pem');
    expect(parseImageArgs([], '').caFile).toBeUndefined();
  });

  it('reads --check, --no-build, --tag, --dockerfile and --builder', () => {
    expect(
      parseImageArgs(
        ['--check', '--no-build', '--tag', 'sluice:x', '--dockerfile', '/tmp/D', '--builder', 'podman'],
        undefined,
      ),
    ).toMatchObject({ check: true, build: false, tag: 'sluice:x', dockerfile: '/tmp/D', builder: 'podman' });
  });

  it('refuses an unknown option, a missing value, an unknown builder and --no-build without --check', () => {
    expect(() => parseImageArgs(['--chek'], undefined)).toThrow('unknown option "--chek"');
    expect(() => parseImageArgs(['--tag'], undefined)).toThrow('--tag needs a value');
    expect(() => parseImageArgs(['--tag', '--check'], undefined)).toThrow('--tag needs a value');
    expect(() => parseImageArgs(['--builder', 'kaniko'], undefined)).toThrow('auto, docker or podman');
    expect(() => parseImageArgs(['--no-build'], undefined)).toThrow('--no-build only makes sense with --check');
  });
});
