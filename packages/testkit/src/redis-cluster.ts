import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Redis } from 'ioredis';
import { exited, tailOf, waitForOutput } from './child-process.js';
import { freePort } from './free-port.js';
import { REDIS_INSTALL_HINT } from './redis-server.js';
import { waitFor } from './wait-for.js';

export interface RedisClusterOptions {
  /**
   * How many primaries, each its own redis-server; no replicas. Default 3, the fewest
   * `redis-cli --cluster create` accepts.
   */
  readonly primaries?: number;
  /** Every node's AOF fsync policy. Default `everysec`. */
  readonly appendfsync?: 'always' | 'everysec' | 'no';
  /** The `redis-server` binary. Default: found on PATH. */
  readonly binary?: string;
  /** The `redis-cli` binary. Default: the one beside `binary` when that is a path, else found on PATH. */
  readonly cliBinary?: string;
  /** Receives every line a node prints, with the node's index. */
  readonly onLog?: (line: string, node: number) => void;
}

/** One primary of the cluster. */
export interface RedisClusterNode {
  readonly host: string;
  readonly port: number;
  /** The cluster bus port, given explicitly: a free port above 55535 has no room for port + 10000. */
  readonly busPort: number;
  /** `redis://host:port`: a plain client on this node alone (it answers MOVED for other slots). */
  readonly url: string;
  readonly dataDir: string;
  /** The hash slots this node was given when the cluster was created, as inclusive ranges. */
  readonly slots: ReadonlyArray<readonly [number, number]>;
}

/**
 * A Redis Cluster of redis-server child processes that this process owns.
 *
 * Each node is running or stopped: `killNode` and `stop` stop it, `startNode` runs it again on
 * the same port, data folder and nodes.conf (so it rejoins as the same node), and `restartNode`
 * does both. The cluster is ok when every node runs, reports `cluster_state:ok`, and maps all
 * 16384 slots to the same primaries as the others; `untilClusterOk` waits for that.
 */
export interface RedisCluster {
  readonly nodes: ReadonlyArray<RedisClusterNode>;
  /** `127.0.0.1:P1,127.0.0.1:P2,…`: the value REDIS_CLUSTER_NODES takes. */
  readonly nodesEnv: string;
  /** Stops every node with SIGTERM and removes their data folders. */
  stop(): Promise<void>;
  /** SIGTERM (the AOF is flushed), start again, and resolve once the cluster is ok. */
  restartNode(index: number): Promise<void>;
  /** SIGKILL: what a crash looks like; writes of the last second may be lost under `everysec`. */
  killNode(index: number): Promise<void>;
  /** Starts a stopped node and resolves once it accepts connections; `untilClusterOk` for the rest. */
  startNode(index: number): Promise<void>;
  /** Resolves once every node is running and agrees the cluster is ok; rejects at once if one is stopped. */
  untilClusterOk(): Promise<void>;
  /** FLUSHALL on every primary. */
  flushAll(): Promise<void>;
}

/** What `redis-cli --cluster create` needs at least. */
const MIN_PRIMARIES = 3;
const SLOTS = 16_384;
const HOST = '127.0.0.1';

interface NodeState {
  readonly port: number;
  readonly busPort: number;
  readonly dataDir: string;
  child?: ChildProcess;
}

const isRunning = (child: ChildProcess | undefined): child is ChildProcess =>
  child !== undefined && child.exitCode === null && child.signalCode === null;

/** `count` ports nobody listens on, all different (two freePort calls may name the same one). */
const distinctFreePorts = async (count: number): Promise<ReadonlyArray<number>> => {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
};

/** Runs a command to its end; rejects with its output when it exits non-zero. */
const run = (file: string, args: ReadonlyArray<string>, missing: string): Promise<string> =>
  new Promise((resolve, reject) => {
    execFile(file, args, { timeout: 60_000 }, (error, stdout, stderr) => {
      if (error === null) return resolve(stdout);
      if (error.code === 'ENOENT') return reject(new Error(missing));
      reject(new Error(`${file} ${args.join(' ')} failed (${error.message.split('\n')[0]}):\n${stdout}${stderr}`));
    });
  });

/** Opens a connection to one node for one exchange, failing fast instead of retrying. */
const withNode = async <T>(port: number, use: (redis: Redis) => Promise<T>): Promise<T> => {
  const redis = new Redis({
    host: HOST,
    port,
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  // A refused connection rejects connect() below, which the caller sees; without a listener
  // ioredis would also print it as an unhandled error event.
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    return await use(redis);
  } finally {
    redis.disconnect();
  }
};

type SlotRange = readonly [start: number, end: number, port: number];

/** CLUSTER SLOTS as `[start, end, primary port]`, sorted by start. */
const slotRanges = (reply: unknown): ReadonlyArray<SlotRange> => {
  if (!Array.isArray(reply)) throw new Error(`CLUSTER SLOTS answered ${JSON.stringify(reply)}`);
  return reply
    .map((entry: unknown): SlotRange => {
      const [start, end, primary] = Array.isArray(entry) ? (entry as ReadonlyArray<unknown>) : [];
      const port = Array.isArray(primary) ? (primary as ReadonlyArray<unknown>)[1] : undefined;
      if (typeof start !== 'number' || typeof end !== 'number' || typeof port !== 'number') {
        throw new Error(`CLUSTER SLOTS answered an entry ${JSON.stringify(entry)}`);
      }
      return [start, end, port];
    })
    .sort((a, b) => a[0] - b[0]);
};

/**
 * The node's map of slots to primaries when it reports the cluster ok with every slot served,
 * else undefined. Nodes that return the same map agree on who owns what.
 */
const okView = (port: number, primaries: number): Promise<string | undefined> =>
  withNode(port, async (redis) => {
    const info = String(await redis.call('CLUSTER', 'INFO'));
    const field = (name: string): string | undefined => new RegExp(`^${name}:(\\S+)`, 'm').exec(info)?.[1];
    if (
      field('cluster_state') !== 'ok' ||
      field('cluster_slots_ok') !== String(SLOTS) ||
      field('cluster_known_nodes') !== String(primaries)
    ) {
      return undefined;
    }
    return JSON.stringify(slotRanges(await redis.call('CLUSTER', 'SLOTS')));
  });

/**
 * Starts a Redis Cluster of `primaries` redis-server processes on 127.0.0.1, each with a fresh
 * data folder, AOF on and `noeviction` (the settings Sluice requires), and resolves once every
 * node agrees the cluster is ok. `cluster-require-full-coverage` stays at its default `yes`: with
 * a primary down the whole cluster refuses commands, as a single Redis would, rather than some
 * shards of a queue working and others failing.
 *
 * @example
 * const cluster = await startRedisCluster();
 * const client = new Cluster([{ host: '127.0.0.1', port: cluster.nodes[0].port }]);
 * // … REDIS_CLUSTER_NODES: cluster.nodesEnv …
 * await cluster.stop();
 */
export const startRedisCluster = async (options: RedisClusterOptions = {}): Promise<RedisCluster> => {
  const { primaries = MIN_PRIMARIES, appendfsync = 'everysec', binary = 'redis-server', onLog } = options;
  if (!Number.isInteger(primaries) || primaries < MIN_PRIMARIES) {
    throw new RangeError(
      `startRedisCluster: primaries must be a whole number of at least ${MIN_PRIMARIES} ` +
        `(redis-cli --cluster create needs that many), got ${primaries}`,
    );
  }
  const cli = options.cliBinary ?? (binary.includes('/') ? join(dirname(binary), 'redis-cli') : 'redis-cli');

  const ports = await distinctFreePorts(primaries * 2);
  const states: NodeState[] = [];
  for (let index = 0; index < primaries; index += 1) {
    states.push({
      port: ports[index * 2] ?? 0,
      busPort: ports[index * 2 + 1] ?? 0,
      dataDir: await mkdtemp(join(tmpdir(), 'sluice-redis-cluster-')),
    });
  }

  const stateAt = (index: number): NodeState => {
    const state = states[index];
    if (state === undefined) {
      throw new RangeError(`the Redis Cluster has no node ${index}: its nodes are 0 to ${states.length - 1}`);
    }
    return state;
  };

  const launch = async (index: number): Promise<void> => {
    const state = stateAt(index);
    if (isRunning(state.child)) return;
    const child = spawn(
      binary,
      [
        '--port',
        String(state.port),
        '--cluster-port',
        String(state.busPort),
        '--bind',
        HOST,
        '--cluster-enabled',
        'yes',
        '--cluster-config-file',
        'nodes.conf',
        // Short, so a stopped node is noticed (and forgiven) within seconds in a spec.
        '--cluster-node-timeout',
        '2000',
        '--dir',
        state.dataDir,
        '--appendonly',
        'yes',
        '--appendfsync',
        appendfsync,
        '--save',
        '',
        '--maxmemory-policy',
        'noeviction',
        '--daemonize',
        'no',
        '--protected-mode',
        'yes',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    state.child = child;
    const describe = tailOf(child);
    if (onLog !== undefined) {
      child.stdout?.on('data', (chunk: Buffer) => {
        for (const line of chunk.toString('utf8').split('\n')) if (line !== '') onLog(line, index);
      });
    }
    try {
      await waitForOutput(child, 'Ready to accept connections', describe);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(REDIS_INSTALL_HINT);
      throw new Error(`Redis Cluster node ${index} (port ${state.port}) did not start: ${(error as Error).message}`);
    }
  };

  const halt = async (index: number, signal: NodeJS.Signals): Promise<void> => {
    const child = stateAt(index).child;
    if (!isRunning(child)) return;
    child.kill(signal);
    await exited(child);
  };

  const stop = async (): Promise<void> => {
    await Promise.all(states.map((_, index) => halt(index, 'SIGTERM')));
    await Promise.all(states.map((state) => rm(state.dataDir, { recursive: true, force: true })));
  };

  const untilClusterOk = async (): Promise<void> => {
    const stopped = states.findIndex((state) => !isRunning(state.child));
    if (stopped !== -1) {
      throw new Error(`the Redis Cluster cannot be ok while node ${stopped} is stopped: startNode(${stopped}) first`);
    }
    await waitFor(
      async () => {
        const views = await Promise.all(states.map((state) => okView(state.port, states.length)));
        return views.every((view) => view !== undefined && view === views[0]);
      },
      {
        what: `all ${states.length} Redis Cluster nodes reporting cluster_state:ok with the same ${SLOTS} slots`,
        intervalMs: 100,
      },
    );
  };

  let nodes: ReadonlyArray<RedisClusterNode>;
  try {
    // allSettled, so that every node that did start is known to `stop` when another did not.
    const started = await Promise.allSettled(states.map((_, index) => launch(index)));
    const failure = started.find((result) => result.status === 'rejected');
    if (failure !== undefined) throw failure.reason;
    await run(
      cli,
      [
        '--cluster',
        'create',
        ...states.map((state) => `${HOST}:${state.port}`),
        '--cluster-replicas',
        '0',
        '--cluster-yes',
      ],
      `redis-cli was not found ${cli.includes('/') ? `at ${cli}` : 'on PATH'}. It comes with Redis ` +
        '(Debian/Ubuntu: `sudo apt-get install -y redis-server` brings it; macOS: `brew install redis`); ' +
        'or pass cliBinary.',
    );
    await untilClusterOk();
    const ranges = await withNode(stateAt(0).port, async (redis) => slotRanges(await redis.call('CLUSTER', 'SLOTS')));
    nodes = states.map((state) => ({
      host: HOST,
      port: state.port,
      busPort: state.busPort,
      url: `redis://${HOST}:${state.port}`,
      dataDir: state.dataDir,
      slots: ranges.filter(([, , port]) => port === state.port).map(([start, end]) => [start, end] as const),
    }));
  } catch (error) {
    await stop();
    throw error;
  }

  return {
    nodes,
    nodesEnv: nodes.map((node) => `${node.host}:${node.port}`).join(','),
    stop,
    restartNode: async (index) => {
      await halt(index, 'SIGTERM');
      await launch(index);
      await untilClusterOk();
    },
    killNode: (index) => halt(index, 'SIGKILL'),
    startNode: (index) => launch(index),
    untilClusterOk,
    flushAll: async () => {
      await Promise.all(states.map((state) => withNode(state.port, (redis) => redis.flushall())));
    },
  };
};
