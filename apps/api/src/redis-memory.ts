import { primariesOf, type RedisClient } from '@sluice/tasks';

/** `used_memory` from the text of `INFO memory`, or `undefined` when it holds none. */
export const usedMemoryOf = (info: string): number | undefined => {
  const match = /^used_memory:(\d+)\r?$/m.exec(info);
  return match === null ? undefined : Number(match[1]);
};

/** Bytes Redis uses for everything it holds, as `INFO memory` tells them: summed over a cluster's primaries. */
export const readRedisMemory = async (redis: RedisClient): Promise<number> => {
  const infos = await Promise.all(primariesOf(redis).map((node) => node.info('memory')));
  return infos.reduce((total, info) => {
    const bytes = usedMemoryOf(info);
    if (bytes === undefined) throw new Error('INFO memory has no used_memory line');
    return total + bytes;
  }, 0);
};
