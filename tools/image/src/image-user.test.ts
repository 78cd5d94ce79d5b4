import { describe, expect, it } from 'vitest';
import { resolveImageUser } from './image-user.js';

const PASSWD = 'root:x:0:0:root:/root:/bin/bash\nnode:x:1000:1000::/home/node:/bin/bash\n';

describe('resolveImageUser', () => {
  it('resolves a name, a uid and a user:group through the image’s /etc/passwd', () => {
    expect(resolveImageUser('node', PASSWD)).toEqual({ name: 'node', uid: 1000, gid: 1000 });
    expect(resolveImageUser('1000', PASSWD)).toEqual({ name: 'node', uid: 1000, gid: 1000 });
    expect(resolveImageUser('node:50', PASSWD)).toEqual({ name: 'node', uid: 1000, gid: 50 });
  });

  it('takes an empty USER as root, as the engines run it', () => {
    expect(resolveImageUser('', PASSWD)).toEqual({ name: 'root', uid: 0, gid: 0 });
    expect(resolveImageUser('root', PASSWD)).toMatchObject({ uid: 0 });
  });

  it('keeps a uid that has no account, and refuses a name that has none', () => {
    expect(resolveImageUser('4242', PASSWD)).toEqual({ name: '4242', uid: 4242, gid: 4242 });
    expect(resolveImageUser('app', PASSWD)).toBe('its USER "app" is no account of the image\'s /etc/passwd');
  });
});
