import type { Redis } from 'ioredis';

/** `used_memory` from the text of `INFO memory`, or `undefined` when it holds none. */
export const usedMemoryOf = (info: string): number | undefined => {
  const match = /^used_memory:(\d+)\r?$/m.exec(info);
  return match === null ? undefined : Number(match[1]);
};

/** Bytes Redis uses for everything it holds, as `INFO memory` tells them. */
export const readRedisMemory = async (redis: Redis): Promise<number> => {
  const bytes = usedMemoryOf(await redis.info('memory'));
  if (bytes === undefined) throw new Error('INFO memory has no used_memory line');
  return bytes;
};
