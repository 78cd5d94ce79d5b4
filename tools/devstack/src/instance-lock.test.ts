import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DevstackError } from './devstack-error.js';
import { acquireInstanceLock } from './instance-lock.js';

describe('acquireInstanceLock', () => {
  let dir: string;
  let file: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'devstack-lock-'));
    file = join(dir, 'devstack.pid');
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('writes our pid and removes the file on release', async () => {
    const lock = await acquireInstanceLock(file);
    expect((await readFile(file, 'utf8')).trim()).toBe(String(process.pid));
    expect(lock.previousOwner).toBeUndefined();
    await lock.release();
    await expect(readFile(file)).rejects.toThrow(/ENOENT/);
  });

  it('takes over the lock of a devstack that died, and names it', async () => {
    const dead = spawn(process.execPath, ['-e', '']);
    await new Promise((resolve) => dead.once('exit', resolve));
    await writeFile(file, `${dead.pid}\n`);
    const lock = await acquireInstanceLock(file);
    expect(lock.previousOwner).toBe(dead.pid);
    await lock.release();
  });

  it('refuses while another devstack is alive', async () => {
    // Its command line names the devstack, as the real one's does (…/devstack/dist/stack-main.js).
    const other = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', 'devstack']);
    try {
      await writeFile(file, `${other.pid}\n`);
      const attempt = acquireInstanceLock(file);
      await expect(attempt).rejects.toBeInstanceOf(DevstackError);
      await expect(attempt).rejects.toThrow(`Another \`npm start\` (pid ${other.pid}) is already running`);
    } finally {
      other.kill();
    }
  });
});
