import { keySlot, SLOT_COUNT } from './key-slot.js';

/** Where a queue's shards live: on a Redis Cluster, or on one Redis. */
export interface ShardLayout {
  /** The queue's name (QUEUE_NAME), the stem of every shard's name. */
  readonly queueName: string;
  /** How many queues the tasks spread over (QUEUE_SHARDS). */
  readonly shards: number;
  /** Whether the connection is a Redis Cluster: one queue then needs a hash tag too. */
  readonly cluster: boolean;
}

/** How far the search for a tag in a shard's slice goes before it gives up: never, in practice. */
const MAX_TAG_TRIES = 1_000_000;

/**
 * The hash tag of shard `shard` of `count`: `{<queueName>-<shard>-<n>}` with the smallest n whose
 * slot lies in the shard's slice of the slot space, slice i being slots [i × 16384 ∕ count,
 * (i + 1) × 16384 ∕ count).
 *
 * Why slices: `redis-cli --cluster create`, and any cluster rebalanced to even shares, gives each
 * of P primaries a run of about 16384 ∕ P consecutive slots, so shards in consecutive slices
 * fall on the primaries in turn, count ∕ P on each when count is a multiple of P. The tags
 * depend on nothing but the queue's name and the count, so every api and worker finds the same
 * names without asking Redis or each other; a cluster laid out otherwise still works, only less
 * evenly (the api logs how the shards sit on its primaries when it starts).
 */
const shardTag = (queueName: string, shard: number, count: number): string => {
  const first = Math.floor((shard * SLOT_COUNT) / count);
  const end = Math.floor(((shard + 1) * SLOT_COUNT) / count);
  for (let n = 0; n < MAX_TAG_TRIES; n += 1) {
    const tag = `${queueName}-${shard}-${n}`;
    const slot = keySlot(tag);
    if (slot >= first && slot < end) return `{${tag}}`;
  }
  throw new Error(`no hash tag of ${queueName}-${shard} falls in slots ${first}–${end - 1}`);
};

/**
 * The BullMQ queue names of a layout's shards, numbered from 0. One queue on one Redis keeps
 * `queueName` itself, as Sluice always named it. Otherwise each name is a hash tag (see
 * shardTag), so BullMQ's keys of one shard (`bull:{tasks-0-7}:wait`, `…:active`, …) share one
 * slot, as its scripts need on a cluster, and the shards spread over the primaries. The tag is
 * in the name rather than the prefix so that Bull Board, which tells queues apart by name, lists
 * each shard.
 *
 * @example
 * shardQueueNames({ queueName: 'tasks', shards: 1, cluster: false }); // ['tasks']
 * shardQueueNames({ queueName: 'tasks', shards: 3, cluster: true }); // ['{tasks-0-…}', '{tasks-1-…}', '{tasks-2-…}']
 */
export const shardQueueNames = (layout: ShardLayout): ReadonlyArray<string> => {
  const { queueName, shards, cluster } = layout;
  if (!Number.isInteger(shards) || shards < 1) throw new RangeError(`shards must be a whole number ≥ 1, got ${shards}`);
  if (shards === 1 && !cluster) return [queueName];
  return Array.from({ length: shards }, (_, shard) => shardTag(queueName, shard, shards));
};
