import { Cluster, Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisCluster, type RedisCluster } from './redis-cluster.js';
import { REDIS_INSTALL_HINT } from './redis-server.js';

/** Enough keys that each of three equal slot ranges holds some (deterministically: same keys every run). */
const KEYS = Array.from({ length: 60 }, (_, n) => `spec-key-${n}`);

const keysOn = async (url: string): Promise<number> => {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    return await redis.dbsize();
  } finally {
    redis.disconnect();
  }
};

describe('startRedisCluster', () => {
  let cluster: RedisCluster;
  let client: Cluster;
  const logged: Array<readonly [number, string]> = [];

  beforeAll(async () => {
    cluster = await startRedisCluster({ onLog: (line, node) => logged.push([node, line]) });
    const first = cluster.nodes[0]!;
    client = new Cluster([{ host: first.host, port: first.port }], { redisOptions: { maxRetriesPerRequest: null } });
  });

  afterAll(async () => {
    client?.disconnect();
    await cluster?.stop();
  });

  it('starts three primaries that share the 16384 slots between them, without gaps or overlaps', () => {
    expect(cluster.nodes).toHaveLength(3);
    const ranges = cluster.nodes.flatMap((node) => node.slots).sort((a, b) => a[0] - b[0]);
    expect(ranges[0]![0]).toBe(0);
    expect(ranges.at(-1)![1]).toBe(16_383);
    for (let i = 1; i < ranges.length; i += 1) expect(ranges[i]![0]).toBe(ranges[i - 1]![1] + 1);
    for (const node of cluster.nodes) expect(node.slots.length).toBeGreaterThan(0);
  });

  it('names the nodes as REDIS_CLUSTER_NODES takes them', () => {
    expect(cluster.nodesEnv).toBe(cluster.nodes.map((node) => `127.0.0.1:${node.port}`).join(','));
    expect(new Set(cluster.nodes.flatMap((node) => [node.port, node.busPort])).size).toBe(6);
  });

  it("hands each node's log lines to onLog with the node's index", () => {
    const ready = logged.filter(([, line]) => line.includes('Ready to accept connections')).map(([node]) => node);
    expect(ready.sort()).toEqual([0, 1, 2]);
  });

  it('runs every node with AOF on and noeviction', async () => {
    for (const node of cluster.nodes) {
      const redis = new Redis(node.url, { maxRetriesPerRequest: 1 });
      try {
        expect(await redis.config('GET', 'appendonly')).toEqual(['appendonly', 'yes']);
        expect(await redis.config('GET', 'maxmemory-policy')).toEqual(['maxmemory-policy', 'noeviction']);
      } finally {
        redis.disconnect();
      }
    }
  });

  it('serves a cluster client, whose keys land on every node', async () => {
    await Promise.all(KEYS.map((key) => client.set(key, `value of ${key}`)));
    expect(await Promise.all(KEYS.map((key) => client.get(key)))).toEqual(KEYS.map((key) => `value of ${key}`));
    const counts = await Promise.all(cluster.nodes.map((node) => keysOn(node.url)));
    expect(counts.reduce((sum, count) => sum + count, 0)).toBe(KEYS.length);
    for (const count of counts) expect(count).toBeGreaterThan(0);
  });

  it('restarts a node on its data: what was written before is still there and the cluster is ok again', async () => {
    const before = await keysOn(cluster.nodes[1]!.url);
    expect(before).toBeGreaterThan(0);
    await cluster.restartNode(1);
    expect(await keysOn(cluster.nodes[1]!.url)).toBe(before);
    expect(await Promise.all(KEYS.map((key) => client.get(key)))).toEqual(KEYS.map((key) => `value of ${key}`));
  });

  it('refuses to wait for an ok cluster while a killed node is down, and is ok again once it is started', async () => {
    await cluster.killNode(2);
    await expect(cluster.untilClusterOk()).rejects.toThrow('node 2 is stopped: startNode(2) first');
    await cluster.startNode(2);
    await cluster.untilClusterOk();
    expect(await client.get(KEYS[0]!)).toBe(`value of ${KEYS[0]}`);
  });

  it('empties every primary on flushAll', async () => {
    await cluster.flushAll();
    expect(await Promise.all(cluster.nodes.map((node) => keysOn(node.url)))).toEqual([0, 0, 0]);
  });
});

describe('startRedisCluster, refusing', () => {
  it('fewer than three primaries, naming the option', async () => {
    await expect(startRedisCluster({ primaries: 2 })).rejects.toThrow(
      'startRedisCluster: primaries must be a whole number of at least 3',
    );
  });

  it('a redis-server that is not there, with the install hint', async () => {
    await expect(startRedisCluster({ binary: '/nonexistent/redis-server' })).rejects.toThrow(REDIS_INSTALL_HINT);
  });
});
