import { describe, expect, it } from 'vitest';
import { keySlot, SLOT_COUNT } from './key-slot.js';
import { shardQueueNames } from './shard-names.js';

/** The primary of `--cluster create` with `primaries` primaries that serves `slot` (even runs of slots). */
const primaryOf = (slot: number, primaries: number) =>
  Math.min(primaries - 1, Math.floor((slot * primaries) / SLOT_COUNT));

describe('shardQueueNames', () => {
  it('keeps the plain queue name for one shard on one Redis', () => {
    expect(shardQueueNames({ queueName: 'tasks', shards: 1, cluster: false })).toEqual(['tasks']);
  });

  it('gives each shard a hash tag of its own, also for one shard on a cluster', () => {
    const [only] = shardQueueNames({ queueName: 'tasks', shards: 1, cluster: true });
    expect(only).toMatch(/^\{tasks-0-\d+\}$/);
    const names = shardQueueNames({ queueName: 'tasks', shards: 6, cluster: false });
    expect(names).toHaveLength(6);
    names.forEach((name, shard) => {
      expect(name).toMatch(new RegExp(`^\\{tasks-${shard}-\\d+\\}$`));
    });
    // BullMQ refuses a queue name with a colon; the keys of a shard all hash to its tag's slot.
    for (const name of names) {
      expect(name).not.toContain(':');
      expect(keySlot(`bull:${name}:wait`)).toBe(keySlot(`bull:${name}:active`));
    }
  });

  it('puts shard i in the i-th even slice of the slots, so shards spread over primaries of even ranges', () => {
    for (const shards of [1, 2, 3, 6, 7, 12, 64]) {
      const names = shardQueueNames({ queueName: 'orders', shards, cluster: true });
      names.forEach((name, shard) => {
        const slot = keySlot(name);
        expect(slot).toBeGreaterThanOrEqual(Math.floor((shard * SLOT_COUNT) / shards));
        expect(slot).toBeLessThan(Math.floor(((shard + 1) * SLOT_COUNT) / shards));
      });
    }
    for (const primaries of [3, 4, 6]) {
      const names = shardQueueNames({ queueName: 'tasks', shards: primaries * 2, cluster: true });
      const perPrimary = new Array<number>(primaries).fill(0);
      for (const name of names) perPrimary[primaryOf(keySlot(name), primaries)]! += 1;
      expect(perPrimary).toEqual(new Array<number>(primaries).fill(2));
    }
  });

  it('names the same shards for the same name and count every time, and others for another name', () => {
    const layout = { queueName: 'tasks', shards: 6, cluster: true } as const;
    expect(shardQueueNames(layout)).toEqual(shardQueueNames(layout));
    expect(shardQueueNames({ ...layout, queueName: 'emails' })).not.toEqual(shardQueueNames(layout));
  });

  it('refuses a count that is not a whole number of at least 1', () => {
    expect(() => shardQueueNames({ queueName: 'tasks', shards: 0, cluster: false })).toThrow(RangeError);
    expect(() => shardQueueNames({ queueName: 'tasks', shards: 1.5, cluster: false })).toThrow(RangeError);
  });
});
