import { isCluster, primariesOf, type RedisClient } from './redis-client.js';

/** Thrown at start when Redis could evict queue data under memory pressure. */
export class RedisPolicyError extends Error {
  override readonly name = 'RedisPolicyError';
}

/**
 * Refuses a Redis whose `maxmemory-policy` is not `noeviction`: under any other policy Redis may
 * silently delete jobs when it runs out of memory, and accepted tasks would be lost. Reads INFO
 * rather than CONFIG GET because managed Redis services often disable CONFIG. On a cluster, every
 * primary is asked: each holds some of the queues (the client must be ready first to know them,
 * so a cluster client still connecting is waited for).
 */
export const assertNoEviction = async (redis: RedisClient): Promise<void> => {
  // Errors while it connects are the caller's to log: the cluster may still be forming.
  if (isCluster(redis) && redis.status !== 'ready') await new Promise((resolve) => redis.once('ready', resolve));
  for (const node of primariesOf(redis)) {
    const info = await node.info('memory');
    const policy = /^maxmemory_policy:(\S+)/m.exec(info)?.[1];
    if (policy === undefined || policy === 'noeviction') continue;
    const where = primariesOf(redis).length > 1 ? ` on ${node.options.host}:${node.options.port}` : '';
    throw new RedisPolicyError(
      `Redis maxmemory-policy is "${policy}"${where}, but Sluice needs "noeviction": any other policy lets Redis ` +
        'delete queued tasks when memory runs short. Fix it with `CONFIG SET maxmemory-policy noeviction` ' +
        "(and in redis.conf), or your provider's parameter group.",
    );
  }
};
