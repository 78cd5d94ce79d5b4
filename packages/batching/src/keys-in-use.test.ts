import { describe, expect, it } from 'vitest';
import { createKeysInUse } from './keys-in-use.js';

describe('keys in use', () => {
  it('has no room to give with no key in use', () => {
    expect(createKeysInUse().room(4)).toBe(0);
  });

  it('gives one full group of each key, and the slots in flight groups of the largest', () => {
    const keys = createKeysInUse();
    keys.enter('EMAIL', 100);
    keys.enter('SMS', 50);
    keys.enter('BIG', 1_000);

    expect(keys.room(4)).toBe(100 + 50 + 1_000 + 4 * 1_000);
  });

  it('counts a key once however many of its groups are open or in flight, until the last settles', () => {
    const keys = createKeysInUse();
    keys.enter('EMAIL', 100);
    keys.enter('EMAIL', 100);
    keys.enter('EMAIL', 100);
    expect(keys.room(1)).toBe(200);

    keys.leave('EMAIL');
    keys.leave('EMAIL');
    expect(keys.room(1)).toBe(200);

    keys.leave('EMAIL');
    expect(keys.room(1)).toBe(0);
  });

  it('takes the largest size of the keys still in use once the largest leaves', () => {
    const keys = createKeysInUse();
    keys.enter('BIG', 1_000);
    keys.enter('SMALL', 10);
    keys.enter('OTHER_SMALL', 10);
    keys.leave('BIG');

    expect(keys.room(2)).toBe(10 + 10 + 2 * 10);
  });

  it('refuses a key that leaves without a group in use: the batcher lost count', () => {
    expect(() => createKeysInUse().leave('EMAIL')).toThrow(/invariant broken: key "EMAIL"/);
  });
});
