import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';

/** A connection to Redis: to one server, or to a Redis Cluster through ioredis's Cluster client. */
export type RedisClient = Redis | Cluster;

/** A Redis node's address, as REDIS_CLUSTER_NODES lists them. */
export interface RedisNodeAddress {
  readonly host: string;
  readonly port: number;
}

/** Where Redis is: `clusterNodes` when set (REDIS_CLUSTER_NODES), else `url` (REDIS_URL). */
export interface RedisTarget {
  readonly url: string;
  readonly clusterNodes?: ReadonlyArray<RedisNodeAddress>;
}

export const isCluster = (client: RedisClient): client is Cluster => client.isCluster;

/**
 * Opens a connection to `target` with `options`, which apply to each node of a cluster. On a
 * cluster, `enableOfflineQueue` and `retryStrategy` apply to the whole client too: the first
 * decides whether a command waits while the cluster cannot take it, the second how soon the
 * client reconnects after losing every node.
 *
 * @example
 * const redis = createRedisClient({ url: config.redisUrl, clusterNodes: config.redisClusterNodes }, { maxRetriesPerRequest: null });
 */
export const createRedisClient = (target: RedisTarget, options: RedisOptions = {}): RedisClient => {
  if (target.clusterNodes === undefined) return new Redis(target.url, options);
  // The cluster client keeps its own offline queue and reconnects as a whole: those two options
  // are its, not the nodes'.
  const { retryStrategy, enableOfflineQueue, host: _host, port: _port, path: _path, ...redisOptions } = options;
  const clusterOptions: ClusterOptions = {
    redisOptions,
    ...(enableOfflineQueue === undefined ? {} : { enableOfflineQueue }),
    ...(retryStrategy === undefined || retryStrategy === null
      ? {}
      : { clusterRetryStrategy: (attempt: number) => retryStrategy(attempt) }),
  };
  return new Cluster(
    target.clusterNodes.map(({ host, port }) => ({ host, port })),
    clusterOptions,
  );
};

/**
 * The servers behind `client` that hold data: the client itself, or a cluster's primaries as the
 * client last saw them. A command with no key (INFO, PING) reaches one random node of a cluster,
 * so what must hold for every server is asked of each of these.
 */
export const primariesOf = (client: RedisClient): ReadonlyArray<Redis> =>
  isCluster(client) ? client.nodes('master') : [client];

/** Pings every primary: Redis is up when each answers. */
export const pingAll = async (client: RedisClient): Promise<void> => {
  const primaries = primariesOf(client);
  if (primaries.length === 0) throw new Error('the cluster client knows no primary yet');
  await Promise.all(primaries.map((node) => node.ping()));
};

/** Where a loaded configuration says Redis is (REDIS_CLUSTER_NODES, else REDIS_URL). */
export const redisTargetOf = (config: {
  readonly redisUrl: string;
  readonly redisClusterNodes?: ReadonlyArray<RedisNodeAddress>;
}): RedisTarget =>
  config.redisClusterNodes === undefined
    ? { url: config.redisUrl }
    : { url: config.redisUrl, clusterNodes: config.redisClusterNodes };
