import { keySlot } from './key-slot.js';

/**
 * The shard, of `count`, whose queue holds the job of task or job `id`. It hashes the id's first
 * 30 characters, which every id tied to one parcel shares (its tasks' ids, its job's id, its
 * retry parcels' ids: they differ in the last 6 hex digits only, see parcel-id.ts). So a task is
 * found on the shard its id names, wherever it travels, and an Idempotency-Key, which derives the
 * same ids on every replay, lands on the same shard each time.
 *
 * @example
 * const queue = queues[shardOf(taskId, queues.length)];
 */
export const shardOf = (id: string, count: number): number => (count === 1 ? 0 : keySlot(`${id.slice(0, 30)}`) % count);
