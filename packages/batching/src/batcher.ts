/*
 * A pure micro-batcher: items arrive one at a time under a key, leave in groups, and each item's
 * promise settles with its own outcome once its group has been processed. No I/O: the clock and
 * the processing function are parameters.
 *
 * Weights. An item may carry many tasks (a BullMQ job holding a parcel of 1..N tasks of one key):
 * its `weight`, 1 unless `add` is told otherwise. Everything the batcher counts is tasks, the sum
 * of weights: a group's size, the hold budget, pressure. A group never weighs more than its
 * key's size, so a handler never gets more tasks than it was sized for, with one exception: an
 * item that weighs the size or more on its own leaves at once as a group of its own (trigger
 * `size`), and the key's open group, which it never joins, keeps filling. An item that does not
 * fit the room left in the open group releases that group first (trigger `size`: it is as full as
 * it can get without going over) and opens the next one.
 *
 * A group moves through four states, and every move is asserted (see `move`):
 *
 *   open ──size│timeout│pressure│shutdown──▶ waiting ──a processing slot frees──▶ processing ──▶ settled
 *
 * - open: the one group of its key that accepts items. Its size and timeout are its key's
 *   (`limitsOf`, read once when it opens). Its timer starts with its first item, so the timeout
 *   bounds the wait of the oldest item, not of the latest. A group of one over-heavy item opens
 *   and is released in the same step, without ever accepting another.
 * - waiting: released and frozen; queued FIFO while `concurrency` groups are being processed
 *   (a released group that finds a free slot passes through this state at once).
 * - processing: `process` has been called and has not answered yet.
 * - settled: every item's promise has resolved or rejected; the batcher forgets the group.
 *
 * The hold budget. The caller holds at most `capacity` tasks in the batcher at once (a BullMQ
 * worker fetches no job beyond its concurrency, which the adapter derives from the budget), so
 * once the tasks held reach it, no open group can grow until a group settles. A fixed budget
 * fits a few keys; with more, the open groups of all keys cannot each reach their size within
 * it, none fills, and every one waits out its timeout (issue 14: 3 task types at 164 tasks/s
 * against 5,690 for one). Two rules keep groups full and flowing:
 *
 * - The budget follows the keys in use, up to `maxCapacity`: room for one full group of every
 *   key that has a group open, waiting or processing, plus `concurrency` groups of the largest of
 *   them in flight. One key of size 100 with 4 processing slots needs 100 + 4 × 100 = 500, the
 *   old fixed budget; twenty keys need 2,400. It changes only when a group settles and is
 *   announced through `onCapacity`: a caller blocked at its old limit (BullMQ waits for a job to
 *   finish before it looks at its concurrency again) wakes only then, so a new limit announced
 *   earlier would be a promise of tasks that cannot come. Keys that just released a group still
 *   count while it is in flight, so the budget does not shrink and grow with every release.
 * - Pressure, for when even `maxCapacity` is not enough (thousands of `groupBy` keys): when the
 *   tasks held reach the budget and a processing slot is free, the fullest open group (the one
 *   holding the most tasks) is released at once (trigger `pressure`), and again for each slot
 *   still free: a slot left idle then would only wait, since nothing new can arrive. The one
 *   exception: when the groups in flight, once settled, free enough of the budget for the
 *   fullest to fill (their tasks come back spread over the open keys), it waits for them
 *   (`settlementsWillFill`). The fullest, because it makes the largest group, frees the most
 *   budget, and in steady load it is also the one open longest. Groups then hold about
 *   budget ÷ (keys ÷ 2 + `concurrency`) tasks.
 *
 * A budget without a ceiling would hold as many tasks as there are keys (unbounded with
 * `groupBy`): memory, lock renewals and the re-run after a crash all grow with it. Pressure alone
 * keeps a fixed budget but makes small groups, more statements per task: twenty keys in a budget
 * of 500 made groups of about 40 and ran at 0.6–0.9× the rate of one key.
 *
 * Once `drain()` has been called the batcher keeps working, but a group opened afterwards is
 * released on the next timer tick (trigger `shutdown`) instead of after its timeout: a worker
 * that is stopping must not hold a late job for a full timeout.
 */
import { systemClock, type Clock } from './clock.js';
import { InvalidOptionError } from './invalid-option-error.js';
import { createKeysInUse } from './keys-in-use.js';
import { OutcomeCountError } from './outcome-count-error.js';

/**
 * Why a group is released: it filled up (`size`, or the next item would not fit, or one item
 * weighs the size alone), its oldest item waited long enough (`timeout`), the tasks held reached
 * the hold budget (`pressure`), or a drain (`shutdown`). For a caller's metric labels. The store
 * loads nothing of BullMQ, so it imports only the type, and keeps a `Record<FlushTrigger, …>`
 * the compiler holds complete.
 */
export const FLUSH_TRIGGERS = Object.freeze(['size', 'timeout', 'pressure', 'shutdown'] as const);

/** Why a group was released; see {@link FLUSH_TRIGGERS}. */
export type FlushTrigger = (typeof FLUSH_TRIGGERS)[number];

/** A released group of items that share a key, in arrival order. */
export interface Group<T> {
  readonly key: string;
  readonly items: ReadonlyArray<T>;
  /** Tasks in the group: the sum of its items' weights (their count when every weight is 1). */
  readonly weight: number;
  readonly trigger: FlushTrigger;
  /** Clock time (ms) when the group's first item arrived. */
  readonly openedAt: number;
  /** Clock time (ms) when the group was released. */
  readonly releasedAt: number;
}

/** What became of one item: its value, or the error its promise rejects with. */
export type Outcome<R> = { readonly ok: true; readonly value: R } | { readonly ok: false; readonly error: Error };

/**
 * Optional hooks for metrics and logs. They run inside the batcher's bookkeeping, so they must
 * not throw: an error a hook throws is rethrown on a microtask (an uncaught exception, as with an
 * EventEmitter listener) rather than left to corrupt the batcher's state.
 */
export interface BatcherObserver<T> {
  /** A group has just been released (it may still wait for a processing slot). */
  onRelease?(group: Group<T>): void;
  /**
   * A group's items have all settled. `durationMs` runs from the call of `process` to its answer;
   * `error` is set when the whole group failed (`process` threw or miscounted its outcomes).
   */
  onSettled?(group: Group<T>, durationMs: number, error?: Error): void;
}

/** A key's own group size and timeout; a field left out takes the batcher's `size` or `timeoutMs`. */
export interface GroupLimits {
  /** Tasks (item weights) per group of this key. An integer ≥ 1. */
  readonly size?: number;
  /** Longest wait (ms) of the first item of this key's group. From 0 to 2^31 − 1. */
  readonly timeoutMs?: number;
}

export interface BatcherOptions<T, R> {
  /**
   * Tasks per group: the item whose weight brings its group to `size` releases it (trigger
   * `size`); with every weight 1, the `size`-th item. An integer ≥ 1. The default of every key,
   * unless `limitsOf` gives the key its own.
   */
  readonly size: number;
  /**
   * Longest wait (ms) of a group's first item before release (trigger `timeout`). ≥ 0. The
   * default of every key, unless `limitsOf` gives the key its own.
   */
  readonly timeoutMs: number;
  /** Most groups processed at once; released groups beyond it wait in FIFO order. An integer ≥ 1. */
  readonly concurrency: number;
  /**
   * Most tasks (the sum of item weights) the caller holds in the batcher at once, at first and at
   * least. Once the tasks held, in any state, reach the budget in force, the fullest open group
   * is released for each free processing slot (trigger `pressure`), since no open group could
   * grow before a group settles. An integer ≥ 1, or `Infinity`. Default: `Infinity` (never under
   * pressure).
   */
  readonly capacity?: number;
  /**
   * The most the budget may grow to as keys come into use (see the header: the hold budget). At
   * least `capacity`. Default: `capacity`, a fixed budget.
   */
  readonly maxCapacity?: number;
  /**
   * Told the new budget each time it changes (only ever as a group settles): from then on the
   * caller may hold that many tasks. A BullMQ worker derives its concurrency from it. Like the
   * observer's hooks, it must not throw.
   */
  readonly onCapacity?: (capacity: number) => void;
  /**
   * The size and timeout of a key's groups, read once each time a group of the key opens (an
   * over-heavy item that leaves alone while the key has an open group is measured against that
   * group's size). An answer out of range rejects that item with an `InvalidOptionError` naming
   * the key and field, and opens no group. Default: `size` and `timeoutMs` for every key.
   */
  readonly limitsOf?: (key: string) => GroupLimits;
  /**
   * Processes a released group and answers one outcome per item, in the items' order. A throw or
   * rejection fails every item of the group with that error.
   */
  readonly process: (group: Group<T>) => Promise<ReadonlyArray<Outcome<R>>>;
  /** Time source and timers. Default: `systemClock`. */
  readonly clock?: Clock;
  /** Hooks for metrics and logs. Default: none. */
  readonly observer?: BatcherObserver<T>;
}

/** Counts for gauges, taken at the moment `snapshot` is read. */
export interface BatcherSnapshot {
  /** Groups accepting items (at most one per key). */
  readonly openGroups: number;
  /**
   * Tasks held: the weights of the items added whose promise has not settled yet, in any state
   * (their count when every weight is 1).
   */
  readonly heldItems: number;
  /** Groups whose `process` call has not answered yet. */
  readonly processing: number;
  /** Released groups queued behind `concurrency`. */
  readonly waiting: number;
}

export interface Batcher<T, R> {
  /**
   * Adds `item`, carrying `weight` tasks, to the open group of `key` (opening one if needed; see
   * the header for an item that does not fit or weighs the size alone). Resolves with the item's
   * value, or rejects with its error, once its group has been processed. A `weight` that is not
   * an integer ≥ 1 rejects with an `InvalidOptionError` naming `weight`, and holds nothing.
   */
  add(key: string, item: T, weight?: number): Promise<R>;
  /**
   * Releases every open group (trigger `shutdown`) and resolves once nothing is open, waiting or
   * processing. Items added from now on are released promptly rather than after `timeoutMs`, and
   * a drain still pending waits for them too. Never rejects: failures belong to the items.
   */
  drain(): Promise<void>;
  /** Current counts, for gauges. */
  readonly snapshot: BatcherSnapshot;
}

type GroupState = 'open' | 'waiting' | 'processing' | 'settled';

/** A key's limits with the defaults filled in. */
interface Limits {
  readonly size: number;
  readonly timeoutMs: number;
}

interface Ticket<T, R> {
  readonly item: T;
  readonly weight: number;
  readonly resolve: (value: R) => void;
  readonly reject: (error: Error) => void;
}

/** The batcher's private, mutable view of one group. */
interface Tracked<T, R> {
  state: GroupState;
  readonly key: string;
  /** The key's group size when the group opened. */
  readonly size: number;
  readonly openedAt: number;
  readonly tickets: Ticket<T, R>[];
  /** The sum of the tickets' weights. */
  weight: number;
  timer: unknown;
  /** The frozen group handed to `process`; set on release. */
  released: Group<T> | undefined;
}

/** Node turns a longer delay into 1 ms (with a warning), which would release groups at once. */
const MAX_TIMER_MS = 2_147_483_647;

/** The size and timeout checks, shared by the options and by each answer of `limitsOf`. */
const checkLimits = (size: unknown, timeoutMs: unknown, prefix: string): void => {
  if (!Number.isInteger(size) || (size as number) < 1) {
    throw new InvalidOptionError(`${prefix}size`, 'an integer ≥ 1', size);
  }
  if (typeof timeoutMs !== 'number' || !(timeoutMs >= 0 && timeoutMs <= MAX_TIMER_MS)) {
    throw new InvalidOptionError(`${prefix}timeoutMs`, `a number of ms from 0 to ${MAX_TIMER_MS}`, timeoutMs);
  }
};

/**
 * Checks an item's weight. Exported within the package so the BullMQ adapter can name its own
 * option (`weightOf`) in the error that fails a job.
 */
export const checkWeight = (weight: unknown, option = 'weight'): void => {
  if (!Number.isInteger(weight) || (weight as number) < 1) {
    throw new InvalidOptionError(option, 'an integer ≥ 1', weight);
  }
};

const validate = <T, R>(options: BatcherOptions<T, R>): void => {
  const { size, timeoutMs, concurrency, capacity, maxCapacity, onCapacity, limitsOf, process } = options;
  checkLimits(size, timeoutMs, '');
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new InvalidOptionError('concurrency', 'an integer ≥ 1', concurrency);
  }
  if (
    capacity !== undefined &&
    capacity !== Number.POSITIVE_INFINITY &&
    !(Number.isInteger(capacity) && capacity >= 1)
  ) {
    throw new InvalidOptionError('capacity', 'an integer ≥ 1 or Infinity', capacity);
  }
  if (maxCapacity !== undefined) {
    const floor = capacity ?? Number.POSITIVE_INFINITY;
    const whole = maxCapacity === Number.POSITIVE_INFINITY || Number.isInteger(maxCapacity);
    if (!(whole && maxCapacity >= floor)) {
      throw new InvalidOptionError('maxCapacity', `an integer ≥ capacity (${floor}) or Infinity`, maxCapacity);
    }
  }
  if (onCapacity !== undefined && typeof onCapacity !== 'function') {
    throw new InvalidOptionError('onCapacity', 'a function', onCapacity);
  }
  if (limitsOf !== undefined && typeof limitsOf !== 'function') {
    throw new InvalidOptionError('limitsOf', 'a function', limitsOf);
  }
  if (typeof process !== 'function') {
    throw new InvalidOptionError('process', 'a function', process);
  }
};

const toError = (reason: unknown): Error =>
  reason instanceof Error ? reason : new Error(String(reason), { cause: reason });

/** Outcomes are paired with items by position, so any other count fails the whole group. */
const countMismatch = (key: string, items: number, outcomes: unknown): OutcomeCountError | undefined => {
  if (!Array.isArray(outcomes)) return new OutcomeCountError(key, items, undefined);
  return outcomes.length === items ? undefined : new OutcomeCountError(key, items, outcomes.length);
};

/** Runs an observer hook; see `BatcherObserver` for why its errors surface on a microtask. */
const notify = (hook: () => void): void => {
  try {
    hook();
  } catch (error) {
    queueMicrotask(() => {
      throw error;
    });
  }
};

const move = <T, R>(group: Tracked<T, R>, from: GroupState, to: GroupState): void => {
  if (group.state !== from) {
    throw new Error(`batcher invariant broken: group "${group.key}" is ${group.state}, expected ${from} before ${to}`);
  }
  group.state = to;
};

/**
 * Creates a micro-batcher that groups items by key and releases a group when it holds its key's
 * size, when its first item has waited its key's timeout, when the items held reach the budget
 * (the fullest group), or on `drain()`. Options are checked at once; a bad one throws an
 * `InvalidOptionError` naming it.
 *
 * @example
 * const batcher = createBatcher<string, number>({
 *   size: 100,
 *   timeoutMs: 3_000,
 *   concurrency: 4,
 *   capacity: 500, // held at first and at least
 *   maxCapacity: 5_000, // held at most, however many keys are in use
 *   onCapacity: (held) => (fetcher.limit = held),
 *   limitsOf: (key) => (key === 'slow' ? { size: 10, timeoutMs: 500 } : {}),
 *   process: async (group) => group.items.map((word) => ({ ok: true, value: word.length })),
 * });
 * const length = await batcher.add('words', 'sluice'); // 6, once the group is processed
 * await batcher.drain(); // on shutdown
 */
export const createBatcher = <T, R>(options: BatcherOptions<T, R>): Batcher<T, R> => {
  validate(options);
  // Renamed so the option does not shadow Node's global `process` in this scope.
  const {
    size: defaultSize,
    timeoutMs: defaultTimeoutMs,
    concurrency,
    capacity = Number.POSITIVE_INFINITY,
    maxCapacity = capacity,
    onCapacity,
    limitsOf,
    process: processGroup,
    clock = systemClock,
    observer = {},
  } = options;

  const open = new Map<string, Tracked<T, R>>();
  const waiting: Tracked<T, R>[] = [];
  let processing = 0;
  // Tasks held: the weights of the items not yet settled.
  let heldWeight = 0;
  // The hold budget in force: `capacity` until a settlement finds the keys in use need more.
  let budget = capacity;
  const keysInUse = createKeysInUse();
  let draining = false;
  let drainers: Array<() => void> = [];

  /** The key's limits, checked before anything is opened: a bad answer rejects only its item. */
  const limitsFor = (key: string): Limits => {
    const own = limitsOf?.(key) ?? {};
    const size = own.size ?? defaultSize;
    const timeoutMs = own.timeoutMs ?? defaultTimeoutMs;
    if (limitsOf !== undefined) checkLimits(size, timeoutMs, `limitsOf(${JSON.stringify(key)}).`);
    return { size, timeoutMs };
  };

  /** A new group of `key` holding `ticket`, counted from now on; not yet the key's open group. */
  const track = (key: string, size: number, ticket: Ticket<T, R>): Tracked<T, R> => {
    keysInUse.enter(key, size);
    heldWeight += ticket.weight;
    return {
      state: 'open',
      key,
      size,
      openedAt: clock.now(),
      tickets: [ticket],
      weight: ticket.weight,
      timer: undefined,
      released: undefined,
    };
  };

  /** Opens the group of `key` that takes its next items; its timer starts with `ticket`. */
  const openGroup = (key: string, { size, timeoutMs }: Limits, ticket: Ticket<T, R>): void => {
    const group = track(key, size, ticket);
    const [delay, trigger]: [number, FlushTrigger] = draining ? [0, 'shutdown'] : [timeoutMs, 'timeout'];
    group.timer = clock.setTimeout(() => release(group, trigger), delay);
    open.set(key, group);
  };

  const release = (group: Tracked<T, R>, trigger: FlushTrigger): void => {
    move(group, 'open', 'waiting');
    if (group.timer !== undefined) clock.clearTimeout(group.timer);
    // A group of one over-heavy item was never the key's open group, which stays open.
    if (open.get(group.key) === group) open.delete(group.key);
    const released: Group<T> = Object.freeze({
      key: group.key,
      items: Object.freeze(group.tickets.map((ticket) => ticket.item)),
      weight: group.weight,
      trigger,
      openedAt: group.openedAt,
      releasedAt: clock.now(),
    });
    group.released = released;
    waiting.push(group);
    notify(() => observer.onRelease?.(released));
    pump();
  };

  const pump = (): void => {
    while (processing < concurrency) {
      const next = waiting.shift();
      if (next === undefined) return;
      start(next);
    }
  };

  /** The open group holding the most tasks; the one opened first among equals. */
  const fullest = (): Tracked<T, R> | undefined => {
    let found: Tracked<T, R> | undefined;
    for (const group of open.values()) {
      if (found === undefined || group.weight > found.weight) found = group;
    }
    return found;
  };

  /**
   * Whether the groups being processed will, once settled, free enough of the budget for the
   * fullest open group to fill by size: their tasks come back as new tasks, spread over the open
   * keys, so each open group can expect its share. Then releasing it early would only make a
   * smaller group (three keys in the default budget of 500 did: groups of 85–99 under pressure
   * where waiting for a settlement filled every one).
   */
  const settlementsWillFill = (group: Tracked<T, R>): boolean => {
    let openWeight = 0;
    for (const candidate of open.values()) openWeight += candidate.weight;
    const freedBySettlements = heldWeight - openWeight;
    return freedBySettlements / open.size >= group.size - group.weight;
  };

  /**
   * Releases the fullest open group (trigger `pressure`) while the tasks held are at the budget
   * and a processing slot is free, unless the groups in flight will free enough for it to fill
   * (`settlementsWillFill`). A free slot means nothing waits (`pump` fills slots first), so each
   * release starts at once; with every slot busy, a settlement will make room instead, and every
   * settlement asks again, so with nothing left in flight the fullest group always leaves.
   */
  const relieve = (): void => {
    while (heldWeight >= budget && processing < concurrency) {
      const group = fullest();
      if (group === undefined || settlementsWillFill(group)) return;
      release(group, 'pressure');
    }
  };

  /**
   * Sets the budget to what the keys in use need, within `capacity` and `maxCapacity`, and tells
   * the caller. Run only as a group settles: see the header for why not sooner.
   */
  const rebudget = (): void => {
    const wanted = Math.min(maxCapacity, Math.max(capacity, keysInUse.room(concurrency)));
    if (wanted === budget) return;
    budget = wanted;
    if (onCapacity !== undefined) notify(() => onCapacity(wanted));
  };

  const start = (group: Tracked<T, R>): void => {
    move(group, 'waiting', 'processing');
    const released = group.released;
    if (released === undefined) throw new Error(`batcher invariant broken: group "${group.key}" has no release`);
    processing += 1;
    const startedAt = clock.now();
    let answer: Promise<ReadonlyArray<Outcome<R>>>;
    try {
      answer = Promise.resolve(processGroup(released));
    } catch (error) {
      // A synchronous throw fails the group exactly like a rejection does.
      answer = Promise.reject(error);
    }
    answer.then(
      (outcomes) => settle(group, released, startedAt, outcomes),
      (error: unknown) => settle(group, released, startedAt, toError(error)),
    );
  };

  const settle = (
    group: Tracked<T, R>,
    released: Group<T>,
    startedAt: number,
    answer: ReadonlyArray<Outcome<R>> | Error,
  ): void => {
    move(group, 'processing', 'settled');
    processing -= 1;
    heldWeight -= group.weight;
    // Counted while the new budget is set: the key's next items are likely on their way (with
    // the caller at its limit, they can only come now), and a budget one group short of the keys
    // in use would leave one of them unable to fill.
    rebudget();
    keysInUse.leave(group.key);
    const failure = answer instanceof Error ? answer : countMismatch(group.key, group.tickets.length, answer);
    const outcomes = answer instanceof Error ? [] : answer;
    group.tickets.forEach((ticket, position) => {
      const outcome = outcomes[position];
      if (failure !== undefined) ticket.reject(failure);
      else if (outcome === undefined || outcome === null) {
        ticket.reject(new Error(`process gave no outcome for item ${position} of group "${group.key}"`));
      } else if (outcome.ok) ticket.resolve(outcome.value);
      else ticket.reject(toError(outcome.error));
    });
    const durationMs = clock.now() - startedAt;
    notify(() =>
      failure === undefined
        ? observer.onSettled?.(released, durationMs)
        : observer.onSettled?.(released, durationMs, failure),
    );
    pump();
    // Only a caller that went over the budget (or a budget just lowered) can still be at it here.
    relieve();
    wakeDrainers();
  };

  const wakeDrainers = (): void => {
    if (drainers.length === 0 || open.size > 0 || waiting.length > 0 || processing > 0) return;
    const woken = drainers;
    drainers = [];
    for (const resolve of woken) resolve();
  };

  return {
    add: (key, item, weight = 1) =>
      new Promise<R>((resolve, reject) => {
        // Every check (the weight, the key's limits) comes before any change: a throw here
        // rejects this item alone and leaves the batcher as it was.
        checkWeight(weight);
        const ticket: Ticket<T, R> = { item, weight, resolve, reject };
        const current = open.get(key);
        if (current !== undefined && current.weight + weight <= current.size) {
          current.tickets.push(ticket);
          current.weight += weight;
          heldWeight += weight;
          if (current.weight >= current.size) release(current, 'size');
        } else if (current !== undefined && weight >= current.size) {
          // Measured against the size the open group read: `limitsOf` is read as a key's open
          // group opens, and this item opens none.
          release(track(key, current.size, ticket), 'size');
        } else {
          const limits = limitsFor(key);
          // Filled as far as it can go without going over: the item would not fit.
          if (current !== undefined) release(current, 'size');
          if (weight >= limits.size) release(track(key, limits.size, ticket), 'size');
          else openGroup(key, limits, ticket);
        }
        relieve();
      }),

    drain: () => {
      draining = true;
      // Copied first: each release deletes its group from `open`.
      for (const group of [...open.values()]) release(group, 'shutdown');
      return new Promise<void>((resolve) => {
        drainers.push(resolve);
        wakeDrainers();
      });
    },

    get snapshot(): BatcherSnapshot {
      return Object.freeze({ openGroups: open.size, heldItems: heldWeight, processing, waiting: waiting.length });
    },
  };
};
