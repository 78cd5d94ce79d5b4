import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisCluster, type RedisCluster } from '@sluice/testkit';
import { keySlot, SLOT_COUNT } from './key-slot.js';

/** Keys where the hash-tag rule or the UTF-8 encoding could go wrong. */
const EDGE_CASES: ReadonlyArray<string> = [
  '',
  '{}',
  '{{a}}',
  'a{}b{c}',
  '{a',
  'a}',
  '}{a}',
  '{a}{b}',
  'foo{}{bar}',
  'foo{{bar}}zap',
  'foo{bar}{zap}',
  '{user1000}.following',
  'ключ',
  '{键}值',
  '😀{😀}',
  // A lone surrogate: Node sends it as U+FFFD, so it must hash as U+FFFD.
  '\ud800',
  '{\udc00}x',
  '\u0000{\u0000}',
];

const ALPHABET = ['a', 'b', 'z', '0', '9', '-', ':', ' ', '{', '}', '{', '}', 'é', '中', '😀', '\ud800', '\u0000'];

/** mulberry32: a seeded generator, so a failing key is the same key on every run. */
const seeded = (seed: number): (() => number) => {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
};

const randomKeys = (count: number, seed: number): ReadonlyArray<string> => {
  const random = seeded(seed);
  return Array.from({ length: count }, () =>
    Array.from({ length: Math.floor(random() * 24) }, () => ALPHABET[Math.floor(random() * ALPHABET.length)]).join(''),
  );
};

describe('keySlot', () => {
  it('hashes "123456789" to 0x31C3, the CRC16-XMODEM check value', () => {
    expect(keySlot('123456789')).toBe(0x31c3);
  });

  it('gives the slots Redis gives for known keys', () => {
    expect(keySlot('')).toBe(0);
    expect(keySlot('foo')).toBe(12_182);
    expect(keySlot('somekey')).toBe(11_058);
    expect(keySlot('{user1000}.following')).toBe(3_443);
  });

  it('hashes only the hash tag, so keys with one tag share a slot', () => {
    expect(keySlot('{user1000}.following')).toBe(keySlot('{user1000}.followers'));
    expect(keySlot('{user1000}.following')).toBe(keySlot('user1000'));
    expect(keySlot('foo{bar}{zap}')).toBe(keySlot('bar'));
    expect(keySlot('foo{{bar}}zap')).toBe(keySlot('{bar'));
    expect(keySlot('}{a}')).toBe(keySlot('a'));
  });

  it('hashes the whole key when the first "{" is followed by "}" at once, or by none', () => {
    expect(keySlot('{}')).toBe(15_257);
    expect(keySlot('foo{}{bar}')).toBe(8_363);
    expect(keySlot('a{}b{c}')).toBe(7_353);
    expect(keySlot('{a')).toBe(10_276);
  });

  it('hashes the UTF-8 bytes of a key', () => {
    expect(keySlot('é')).toBe(10_180);
    expect(keySlot('😀{😀}')).toBe(2_959);
  });

  it('always answers a slot from 0 to SLOT_COUNT - 1', () => {
    expect(SLOT_COUNT).toBe(16_384);
    for (const key of randomKeys(500, 7)) {
      const slot = keySlot(key);
      expect(Number.isInteger(slot) && slot >= 0 && slot < SLOT_COUNT, key).toBe(true);
    }
  });
});

describe('keySlot against a real Redis Cluster', () => {
  // CLUSTER KEYSLOT answers only on a cluster-enabled redis-server ("This instance has cluster
  // support disabled" otherwise), so the run's plain redis-server cannot tell.
  let cluster: RedisCluster;
  let redis: Redis;

  beforeAll(async () => {
    cluster = await startRedisCluster();
    redis = new Redis(cluster.nodes[0]!.url, { maxRetriesPerRequest: 1 });
  });

  afterAll(async () => {
    redis?.disconnect();
    await cluster?.stop();
  });

  it('agrees with CLUSTER KEYSLOT on the edge cases and on 2,000 random keys with braces and multi-byte characters', async () => {
    const keys = [...EDGE_CASES, ...randomKeys(2_000, 20_260_101)];
    const pipeline = redis.pipeline();
    for (const key of keys) pipeline.cluster('KEYSLOT', key);
    const answers = (await pipeline.exec()) ?? [];
    const disagreements = keys
      .map((key, i) => ({ key, ours: keySlot(key), redis: answers[i]?.[1] }))
      .filter(({ ours, redis: theirs }) => ours !== theirs);
    expect(answers).toHaveLength(keys.length);
    expect(disagreements).toEqual([]);
  });
});
