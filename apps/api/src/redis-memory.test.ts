import { Redis } from 'ioredis';
import { describe, expect } from 'vitest';
import { test } from '@sluice/testkit';
import { readRedisMemory, usedMemoryOf } from './redis-memory.js';

describe('Redis memory for sluice_redis_memory_bytes', () => {
  test('reads used_memory from a real Redis, and it grows with what Redis holds', async ({ redisUrl, queueName }) => {
    const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
    try {
      const before = await readRedisMemory(redis);
      expect(before).toBeGreaterThan(0);
      await redis.set(`bull:${queueName}:ballast`, 'x'.repeat(1_000_000));
      expect(await readRedisMemory(redis)).toBeGreaterThan(before + 900_000);
    } finally {
      await redis.del(`bull:${queueName}:ballast`);
      redis.disconnect();
    }
  });

  test('finds used_memory and not used_memory_rss or used_memory_peak', () => {
    const info = '# Memory\r\nused_memory_rss:9999\r\nused_memory:1234\r\nused_memory_peak:5678\r\n';
    expect(usedMemoryOf(info)).toBe(1_234);
    expect(usedMemoryOf('# Memory\r\nused_memory_rss:9999\r\n')).toBeUndefined();
  });
});
