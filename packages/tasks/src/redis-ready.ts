import type { RedisClient } from './redis-client.js';
import { UnavailableError } from './enqueue-errors.js';

/**
 * Waits for a connection that is still making its first connect: a connection without an
 * offline queue refuses every command until it is ready, so a caller that creates one and
 * submits at once would be told Redis is down. A connection that is ready passes at once, and
 * one that is reconnecting or closed is left to fail its command as it would (UnavailableError):
 * only the first connect is waited for, never an outage.
 */
export const untilConnected = async (redis: RedisClient): Promise<void> => {
  if (redis.status === 'ready') return;
  if (redis.status === 'wait') {
    // lazyConnect: nothing connects until asked.
    await redis.connect().catch((error: unknown) => {
      throw new UnavailableError('Redis', error);
    });
    return;
  }
  if (redis.status !== 'connecting' && redis.status !== 'connect') return;
  await new Promise<void>((resolve, reject) => {
    const settle = (error?: unknown) => {
      redis.off('ready', onReady);
      redis.off('close', onClose);
      if (error === undefined) resolve();
      else reject(new UnavailableError('Redis', error));
    };
    const onReady = () => settle();
    const onClose = () => settle(new Error('the connection closed before it was ready'));
    redis.on('ready', onReady);
    redis.on('close', onClose);
  });
};
