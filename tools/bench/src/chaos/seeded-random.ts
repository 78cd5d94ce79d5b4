/** A source of numbers in [0, 1) that replays the same sequence for the same seed. */
export type Random = () => number;

/**
 * A small seeded generator (mulberry32). Chaos runs must be reproducible: the same `--seed`
 * kills the same workers in the same order, so a failure seen once can be replayed.
 *
 * @example
 * const random = seededRandom(42);
 * const worker = Math.floor(random() * 3);
 */
export const seededRandom = (seed: number): Random => {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
};
