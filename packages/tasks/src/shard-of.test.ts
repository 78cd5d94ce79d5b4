import { describe, expect, it } from 'vitest';
import { newParcelBase, parcelJobIdOf, retryParcelId, withParcelFields } from './parcel-id.js';
import { taskIdForKey } from './idempotency.js';
import { shardOf } from './shard-of.js';
import { newId } from './task-id.js';

describe('shardOf', () => {
  it('is shard 0 of one', () => {
    expect(shardOf(newId(), 1)).toBe(0);
  });

  it("sends a parcel's tasks, its job and its retry parcels to one shard", () => {
    for (let n = 0; n < 200; n += 1) {
      const base = newParcelBase();
      const shard = shardOf(base, 8);
      for (const index of [0, 1, 99, 16_383]) {
        const task = withParcelFields(base, { index });
        expect(shardOf(task, 8)).toBe(shard);
        expect(shardOf(parcelJobIdOf(task, 100), 8)).toBe(shard);
        expect(shardOf(retryParcelId(parcelJobIdOf(task, 100), 3), 8)).toBe(shard);
      }
    }
  });

  it('sends an Idempotency-Key to the same shard on every replay', () => {
    const shards = new Set<number>();
    for (let n = 0; n < 100; n += 1) {
      const shard = shardOf(taskIdForKey(`order-${n}`), 6);
      expect(shardOf(taskIdForKey(`order-${n}`), 6)).toBe(shard);
      shards.add(shard);
    }
    // …and keys are not all sent to one shard.
    expect(shards.size).toBe(6);
  });

  it('spreads new task ids evenly: each of 6 shards gets its sixth of 60,000, within 5 %', () => {
    const counts = new Array<number>(6).fill(0);
    for (let n = 0; n < 60_000; n += 1) counts[shardOf(newId(), 6)]! += 1;
    for (const count of counts) expect(Math.abs(count - 10_000)).toBeLessThan(500);
  });
});
