import { Redis } from 'ioredis';
import pg from 'pg';
import { ImageToolError } from './image-tool-error.js';

/** The queue and database the check's processes use, apart from anything else on the servers. */
export const CHECK_QUEUE = 'sluice-image-check';
export const CHECK_DATABASE = 'sluice_image_check';

/** `databaseUrl` with its database swapped for the check's own. */
export const checkDatabaseUrl = (databaseUrl: string): string => {
  const url = new URL(databaseUrl);
  url.pathname = `/${CHECK_DATABASE}`;
  return url.toString();
};

/**
 * Drops the check's database and its queue's Redis keys, so every check starts from nothing and
 * leaves nothing behind. The database is dropped from the server's `postgres` database.
 *
 * @example
 * await resetCheckState(redisUrl, databaseUrl); // before the check, and again after it
 */
export const resetCheckState = async (redisUrl: string, databaseUrl: string): Promise<void> => {
  const admin = new URL(databaseUrl);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect().catch((error: Error) => {
    throw new ImageToolError(`cannot reach PostgreSQL at ${admin.host} (DATABASE_URL says where): ${error.message}`);
  });
  try {
    await client.query(`DROP DATABASE IF EXISTS "${CHECK_DATABASE}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
  // ioredis reports the cause (ECONNREFUSED, …) as an error event; connect() only says it closed.
  let cause: Error | undefined;
  redis.on('error', (error: Error) => {
    cause = error;
  });
  await redis.connect().catch((error: Error) => {
    const why = (cause ?? error).message;
    throw new ImageToolError(`cannot reach Redis at ${new URL(redisUrl).host} (REDIS_URL says where): ${why}`);
  });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `bull:${CHECK_QUEUE}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
};

/** How many of the check's tasks have a COMPLETED row, read from PostgreSQL itself. */
export const completedRows = async (databaseUrl: string): Promise<number> => {
  const client = new pg.Client({ connectionString: checkDatabaseUrl(databaseUrl) });
  await client.connect();
  try {
    const { rows } = await client.query<{ count: string }>(
      "SELECT count(*) AS count FROM tasks WHERE status = 'COMPLETED'",
    );
    return Number(rows[0]?.count ?? 0);
  } finally {
    await client.end();
  }
};
