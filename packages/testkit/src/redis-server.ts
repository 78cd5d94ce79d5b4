import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exited, tailOf, waitForOutput } from './child-process.js';
import { freePort } from './free-port.js';

export interface RedisServerOptions {
  /** Where the AOF lives. Default: a new temporary folder, removed by `stop()`. */
  readonly dataDir?: string;
  /** Default: a free port. */
  readonly port?: number;
  /** AOF fsync policy. Default `everysec`; the chaos run uses `always`. */
  readonly appendfsync?: 'always' | 'everysec' | 'no';
  /** The `redis-server` binary. Default: found on PATH. */
  readonly binary?: string;
  /** Receives every line the server prints. */
  readonly onLog?: (line: string) => void;
}

/** A redis-server child process that this process owns. */
export interface RedisServer {
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  /** Stops with SIGTERM (the AOF is flushed) and removes a temporary data folder. */
  stop(): Promise<void>;
  /** SIGKILL: what a crash looks like. */
  kill(): Promise<void>;
  /** Stops (or finds stopped) and starts again on the same port and data. */
  restart(): Promise<void>;
}

export const REDIS_INSTALL_HINT =
  'redis-server was not found on PATH. Install it (Debian/Ubuntu: `sudo apt-get install -y redis-server`; ' +
  'macOS: `brew install redis`), set REDIS_SERVER_BIN to its path, or set REDIS_URL to a Redis you run.';

/**
 * Starts a redis-server with the settings Sluice requires (AOF on, `noeviction`) and resolves
 * once it accepts connections.
 *
 * @example
 * const redis = await startRedisServer();
 * // … redis.url …
 * await redis.stop();
 */
export const startRedisServer = async (options: RedisServerOptions = {}): Promise<RedisServer> => {
  const temporary = options.dataDir === undefined;
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'sluice-redis-')));
  await mkdir(dataDir, { recursive: true });
  const port = options.port ?? (await freePort());
  const binary = options.binary ?? 'redis-server';
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dataDir,
    '--appendonly',
    'yes',
    '--appendfsync',
    options.appendfsync ?? 'everysec',
    '--maxmemory-policy',
    'noeviction',
    '--save',
    '',
    '--daemonize',
    'no',
    '--protected-mode',
    'yes',
  ];

  let child: ChildProcess | undefined;
  const launch = async (): Promise<void> => {
    const started = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child = started;
    const describe = tailOf(started);
    if (options.onLog) {
      const onLog = options.onLog;
      started.stdout?.on('data', (chunk: Buffer) =>
        chunk
          .toString('utf8')
          .split('\n')
          .filter(Boolean)
          .forEach((line) => {
            onLog(line);
          }),
      );
    }
    try {
      await waitForOutput(started, 'Ready to accept connections', describe);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(REDIS_INSTALL_HINT);
      throw error;
    }
  };
  const halt = async (signal: NodeJS.Signals): Promise<void> => {
    const running = child;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    running.kill(signal);
    await exited(running);
  };

  await launch();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    dataDir,
    stop: async () => {
      await halt('SIGTERM');
      if (temporary) await rm(dataDir, { recursive: true, force: true });
    },
    kill: () => halt('SIGKILL'),
    restart: async () => {
      await halt('SIGTERM');
      await launch();
    },
  };
};
