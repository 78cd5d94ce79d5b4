import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { inject, test as base } from 'vitest';
import { createDatabase, dropDatabase } from './databases.js';

export interface ServiceFixtures {
  /** The run's Redis URL (shared by the run's tests: isolate with `queueName`). */
  readonly redisUrl: string;
  /** A queue name no other test uses; its keys, and its shards', are deleted after the test. */
  readonly queueName: string;
  /** A fresh, empty database of its own, dropped after the test. */
  readonly databaseUrl: string;
}

const deleteQueueKeys = async (redisUrl: string, queueName: string): Promise<void> => {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    // The queue's own keys, and its shards' (`bull:{<name>-<shard>-<n>}:…`, see shardQueueNames).
    for (const pattern of [`bull:${queueName}:*`, `bull:{${queueName}-*`]) {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
        cursor = next;
        if (keys.length > 0) await redis.del(...keys);
      } while (cursor !== '0');
    }
  } finally {
    redis.disconnect();
  }
};

/**
 * vitest's `test` with real services as fixtures (the package's vitest config must use
 * `@sluice/testkit/global-setup`).
 *
 * @example
 * test('commits a group', async ({ databaseUrl, redisUrl, queueName }) => { … });
 */
export const test = base.extend<ServiceFixtures>({
  // biome-ignore lint/correctness/noEmptyPattern: vitest reads a fixture's dependencies from this pattern, and these have none
  redisUrl: async ({}, use) => {
    await use(inject('redisUrl'));
  },
  queueName: async ({ redisUrl }, use) => {
    const name = `test-${randomBytes(5).toString('hex')}`;
    await use(name);
    await deleteQueueKeys(redisUrl, name);
  },
  // biome-ignore lint/correctness/noEmptyPattern: vitest reads a fixture's dependencies from this pattern, and these have none
  databaseUrl: async ({}, use) => {
    const admin = inject('postgresUrl');
    const url = await createDatabase(admin);
    await use(url);
    await dropDatabase(admin, url);
  },
});
