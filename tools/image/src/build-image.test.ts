import { describe, expect, it } from 'vitest';
import { buildCommand } from './build-image.js';

describe('buildCommand', () => {
  it('builds with docker on its own base, passing the CA bundle as the npm_ca secret', () => {
    expect(
      buildCommand({
        builder: 'docker',
        context: '/repo',
        dockerfile: '/repo/deploy/Dockerfile',
        tag: 'sluice:dev',
        caFile: '/etc/ssl/ca.pem',
      }),
    ).toEqual([
      'docker',
      [
        'build',
        '-f',
        '/repo/deploy/Dockerfile',
        '--secret',
        'id=npm_ca,src=/etc/ssl/ca.pem',
        '-t',
        'sluice:dev',
        '/repo',
      ],
    ]);
  });

  it('builds with podman in chroot isolation on the host network, on the stand-in base', () => {
    const [program, args] = buildCommand({
      builder: 'podman',
      context: '/repo',
      dockerfile: '/repo/deploy/Dockerfile',
      tag: 'localhost/sluice:dev',
      nodeImage: 'localhost/sluice-node-base:24.22.3-npm11.21.3-bookworm-r1',
    });
    expect(program).toBe('podman');
    expect(args).toEqual([
      'build',
      '--isolation',
      'chroot',
      '--network',
      'host',
      '-f',
      '/repo/deploy/Dockerfile',
      '--build-arg',
      'NODE_IMAGE=localhost/sluice-node-base:24.22.3-npm11.21.3-bookworm-r1',
      '-t',
      'localhost/sluice:dev',
      '/repo',
    ]);
  });
});
