/**
 * The time source and timers a batcher uses. Injected so tests can drive time, and so the
 * batcher itself stays free of globals.
 */
export interface Clock {
  /** Milliseconds since the epoch (or any fixed origin: only differences are used). */
  now(): number;
  /** Schedules `callback` after `ms` milliseconds and returns a handle for `clearTimeout`. */
  setTimeout(callback: () => void, ms: number): unknown;
  /** Cancels a timer from `setTimeout`; a handle that already fired is ignored. */
  clearTimeout(handle: unknown): void;
}

/**
 * The process clock. It looks up `Date.now`, `setTimeout` and `clearTimeout` on `globalThis` at
 * each call rather than at import, so fake timers installed later (vitest's `vi.useFakeTimers()`)
 * drive it too.
 *
 * @example
 * const batcher = createBatcher({ size: 100, timeoutMs: 3_000, concurrency: 4, process, clock: systemClock });
 */
export const systemClock: Clock = Object.freeze({
  now: () => globalThis.Date.now(),
  setTimeout: (callback: () => void, ms: number): unknown => globalThis.setTimeout(callback, ms),
  clearTimeout: (handle: unknown): void =>
    globalThis.clearTimeout(handle as Parameters<typeof globalThis.clearTimeout>[0]),
});
