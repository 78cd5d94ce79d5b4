import type { RedisClient } from './redis-client.js';
import { EXTRA_TASKS_KEY } from './queue-contract.js';
import type { QueueKeys } from './queued-tasks.js';

/**
 * KEYS[1] the waiting list, KEYS[2] the extra-tasks counter. One script, so the reset cannot land
 * between a read of an empty list and a parcel's arrival: an empty list means no parcel waits,
 * and whatever the counter holds then is drift (see waitingTasks).
 */
const WAITING_TASKS = `
local waiting = redis.call('LLEN', KEYS[1])
if waiting == 0 then
  redis.call('SET', KEYS[2], 0)
  return 0
end
local extra = tonumber(redis.call('GET', KEYS[2]) or '0') or 0
if extra < 0 then extra = 0 end
return waiting + extra`;

/**
 * Tasks waiting in the queue, as QUEUE_HIGH_WATER counts them: the jobs in BullMQ's waiting list
 * plus the tasks parcels carry beyond their one job (the counter at EXTRA_TASKS_KEY, which the
 * api raises by a parcel's tasks − 1 once it is enqueued and a worker lowers when it first takes
 * it). One script call.
 *
 * Exact for the parcels the api enqueues while nothing fails, but for the moment between a
 * worker taking a parcel and lowering the counter (too high by its tasks − 1). Where it can be
 * off for longer:
 * - a parcel taken by a worker that crashed before lowering the counter stays counted: too high
 *   by its tasks − 1;
 * - a parcel BullMQ retries whole (back to waiting after a failed attempt or a stall, or retried
 *   from Bull Board) counts as one task: too low by its tasks − 1;
 * - a parcel whose counting failed after it was enqueued (Redis lost between the two commands)
 *   counts as one task, and a worker lowering the counter for it takes it below the truth;
 * - a retry parcel, once its backoff is over and it waits, counts as one task (a worker neither
 *   adds it to the counter nor takes it off): too low by its tasks − 1.
 * Whenever the waiting list is empty the counter is set to 0 here, so no error outlives the
 * backlog it was made in; a negative counter counts as 0.
 *
 * @example
 * createBackpressure({ highWater, waitingCount: () => waitingTasks(redis, queue) });
 */
export const waitingTasks = async (redis: RedisClient, keys: QueueKeys): Promise<number> =>
  Number(await redis.eval(WAITING_TASKS, 2, keys.toKey('wait'), keys.toKey(EXTRA_TASKS_KEY)));
