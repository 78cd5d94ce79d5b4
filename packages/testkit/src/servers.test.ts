import { Redis } from 'ioredis';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { startPostgresServer } from './postgres-server.js';
import { startRedisServer } from './redis-server.js';

describe('throwaway servers', () => {
  it('starts a redis-server with AOF on and noeviction, and survives a restart with its data', async () => {
    const server = await startRedisServer();
    const redis = new Redis(server.url, { maxRetriesPerRequest: null });
    try {
      expect(await redis.config('GET', 'maxmemory-policy')).toEqual(['maxmemory-policy', 'noeviction']);
      expect(await redis.config('GET', 'appendonly')).toEqual(['appendonly', 'yes']);
      await redis.set('kept', 'yes');
      await server.restart();
      expect(await redis.get('kept')).toBe('yes');
    } finally {
      redis.disconnect();
      await server.stop();
    }
  });

  it('starts a PostgreSQL that accepts queries and keeps data across a restart', async () => {
    const server = await startPostgresServer({ durable: false });
    try {
      const query = async (sql: string) => {
        const client = new pg.Client({ connectionString: server.url() });
        await client.connect();
        try {
          return await client.query(sql);
        } finally {
          await client.end();
        }
      };
      await query('CREATE TABLE kept (n int); INSERT INTO kept VALUES (7)');
      await server.restart();
      expect((await query('SELECT n FROM kept')).rows).toEqual([{ n: 7 }]);
    } finally {
      await server.stop();
    }
  });
});
