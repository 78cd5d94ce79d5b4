/**
 * The keys that have a group open, waiting or processing, and the room (in tasks) their groups
 * need: the batcher's budget follows it (see batcher.ts, the hold budget). Updated as groups open and
 * settle, so reading it costs no walk over the keys, however many `groupBy` keys there are.
 */
export interface KeysInUse {
  /**
   * A group of `key` has opened; `size` is its key's group size in tasks (the first one counts
   * while the key stays in use).
   */
  enter(key: string, size: number): void;
  /** A group of `key` has settled. */
  leave(key: string): void;
  /**
   * Room for one full group of every key in use, plus `slots` groups of the largest of them in
   * flight; 0 with no key in use.
   *
   * @example
   * keys.enter('EMAIL', 100);
   * keys.enter('SMS', 50);
   * keys.room(4); // 100 + 50 + 4 × 100 = 550
   */
  room(slots: number): number;
}

export const createKeysInUse = (): KeysInUse => {
  // Per key: its groups not yet settled, and its size when it came into use.
  const keys = new Map<string, { groups: number; readonly size: number }>();
  // How many keys in use have each size: the largest is a walk over the few distinct sizes
  // (one per task type, in practice), not over the keys.
  const sizes = new Map<number, number>();
  let total = 0;

  return {
    enter: (key, size) => {
      const entry = keys.get(key);
      if (entry !== undefined) {
        entry.groups += 1;
        return;
      }
      keys.set(key, { groups: 1, size });
      sizes.set(size, (sizes.get(size) ?? 0) + 1);
      total += size;
    },
    leave: (key) => {
      const entry = keys.get(key);
      if (entry === undefined) throw new Error(`batcher invariant broken: key "${key}" left without a group in use`);
      entry.groups -= 1;
      if (entry.groups > 0) return;
      keys.delete(key);
      const left = (sizes.get(entry.size) ?? 0) - 1;
      if (left > 0) sizes.set(entry.size, left);
      else sizes.delete(entry.size);
      total -= entry.size;
    },
    room: (slots) => {
      let largest = 0;
      for (const size of sizes.keys()) largest = Math.max(largest, size);
      return total + slots * largest;
    },
  };
};
