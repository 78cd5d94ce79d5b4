import { primariesOf, type RedisClient } from './redis-client.js';

/** A queue of this deployment's name that the current shard layout does not include, and its jobs. */
export interface StrandedQueue {
  readonly name: string;
  /** Jobs waiting, delayed, prioritized, paused or active in it. */
  readonly jobs: number;
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** BullMQ's lists and sorted sets of jobs not yet finished, by key suffix. */
const UNFINISHED = { wait: 'list', paused: 'list', active: 'list', delayed: 'zset', prioritized: 'zset' } as const;

/**
 * The queues named after `queueName` — the plain name, or a shard `{<queueName>-<i>-<n>}` of any
 * count — that are not among `current` and still hold unfinished jobs. Changing QUEUE_SHARDS
 * renames every shard (their tags depend on the count), so jobs queued under the old count sit in
 * queues no worker consumes any more: nothing deletes them, but nothing runs them either.
 *
 * Finds queues by their `events` stream, which BullMQ writes as a job is added (trimmed, never
 * emptied), so that one key a queue travels: the scan still walks each primary's whole keyspace (SCAN, 10,000
 * keys a call, each call a few ms of Redis's time), a start-up check, not one to run per request.
 *
 * @example
 * const stranded = await strandedQueues(redis, 'tasks', shardQueueNames({ queueName: 'tasks', shards: 6, cluster: true }));
 */
export const strandedQueues = async (
  client: RedisClient,
  queueName: string,
  current: ReadonlyArray<string>,
  prefix = 'bull',
): Promise<ReadonlyArray<StrandedQueue>> => {
  const stem = escapeRegExp(queueName);
  const ours = new RegExp(`^${escapeRegExp(prefix)}:(${stem}|\\{${stem}-\\d+-\\d+\\}):events$`);
  const found = new Set<string>();
  for (const node of primariesOf(client)) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', `${prefix}:*${queueName}*:events`, 'COUNT', 10_000);
      cursor = next;
      for (const key of keys) {
        const name = ours.exec(key)?.[1];
        if (name !== undefined) found.add(name);
      }
    } while (cursor !== '0');
  }
  const stranded: StrandedQueue[] = [];
  for (const name of [...found].filter((candidate) => !current.includes(candidate)).sort()) {
    const counts = await Promise.all(
      Object.entries(UNFINISHED).map(([suffix, kind]) =>
        kind === 'list' ? client.llen(`${prefix}:${name}:${suffix}`) : client.zcard(`${prefix}:${name}:${suffix}`),
      ),
    );
    const jobs = counts.reduce((sum, count) => sum + count, 0);
    if (jobs > 0) stranded.push({ name, jobs });
  }
  return stranded;
};
