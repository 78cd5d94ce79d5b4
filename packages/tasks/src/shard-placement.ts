import { keySlot } from './key-slot.js';
import { isCluster, type RedisClient } from './redis-client.js';

/** The shards (numbered from 0) that one Redis server holds. */
export interface ServerShards {
  /** `host:port` of a cluster's primary, or `redis` for one server. */
  readonly server: string;
  readonly shards: ReadonlyArray<number>;
}

/** One slot range of CLUSTER SLOTS: start, end, then the primary's [host, port, id, …], then replicas. */
type SlotRange = [number, number, [string, number, ...unknown[]], ...unknown[]];

/**
 * Which server holds each shard's queue, `names` being the shards' queue names in order: on a
 * cluster, the primary serving the slot of each name's hash tag (CLUSTER SLOTS, asked once);
 * every primary is listed, those with no shard too.
 *
 * @example
 * await shardPlacement(cluster, queue.queues.map(({ name }) => name));
 * // [{ server: '10.0.0.1:6379', shards: [0, 1] }, { server: '10.0.0.2:6379', shards: [2, 3] }, …]
 */
export const shardPlacement = async (
  client: RedisClient,
  names: ReadonlyArray<string>,
): Promise<ReadonlyArray<ServerShards>> => {
  if (!isCluster(client)) return [{ server: 'redis', shards: names.map((_, shard) => shard) }];
  const ranges = (await client.cluster('SLOTS')) as unknown as ReadonlyArray<SlotRange>;
  const servers = new Map<string, number[]>();
  const serverOf = ([, , [host, port]]: SlotRange) => `${host}:${port}`;
  for (const range of ranges) servers.set(serverOf(range), []);
  names.forEach((name, shard) => {
    const slot = keySlot(name);
    const range = ranges.find(([start, end]) => slot >= start && slot <= end);
    if (range !== undefined) servers.get(serverOf(range))?.push(shard);
  });
  return [...servers].map(([server, shards]) => ({ server, shards })).sort((a, b) => a.server.localeCompare(b.server));
};

/**
 * What is wrong with a placement, or undefined when the shards spread as evenly as their count
 * allows (each server's count within one of every other's). Uneven placement still works: the
 * busiest primary just bounds throughput sooner.
 */
export const placementProblem = (placement: ReadonlyArray<ServerShards>): string | undefined => {
  const counts = placement.map(({ shards }) => shards.length);
  if (counts.length < 2 || Math.max(...counts) - Math.min(...counts) <= 1) return undefined;
  return (
    `queue shards sit unevenly on the Redis primaries (${counts.join(', ')}): their slot ranges are not the even ` +
    'ones `redis-cli --cluster create` or `--cluster rebalance` make, so some primaries run more of the queue than others'
  );
};
