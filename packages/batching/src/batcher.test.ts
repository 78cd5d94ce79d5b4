import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  createBatcher,
  type Batcher,
  type BatcherOptions,
  type FlushTrigger,
  type Group,
  type Outcome,
} from './batcher.js';
import { InvalidOptionError } from './invalid-option-error.js';
import { OutcomeCountError } from './outcome-count-error.js';

/** A promise the test settles by hand, to hold a group in `processing` for as long as it likes. */
interface Deferred<V> {
  readonly promise: Promise<V>;
  readonly resolve: (value: V) => void;
  readonly reject: (reason: unknown) => void;
}

const deferred = <V>(): Deferred<V> => {
  const handles: { resolve?: (value: V) => void; reject?: (reason: unknown) => void } = {};
  const promise = new Promise<V>((resolve, reject) => Object.assign(handles, { resolve, reject }));
  return {
    promise,
    resolve: (value) => handles.resolve?.(value),
    reject: (reason) => handles.reject?.(reason),
  };
};

const succeedAll = async (group: Group<number>): Promise<ReadonlyArray<Outcome<number>>> =>
  group.items.map((item) => ({ ok: true, value: item * 10 }));

/** Lets promise callbacks run (fake timers leave microtasks alone) without moving the clock. */
const settleMicrotasks = async (): Promise<void> => {
  await vi.advanceTimersByTimeAsync(0);
};

/** Records whether a promise has settled, without letting an expected rejection go unhandled. */
const watch = <V>(promise: Promise<V>): { readonly settled: () => boolean } => {
  let settled = false;
  promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  return { settled: () => settled };
};

const batcherWith = (overrides: Partial<BatcherOptions<number, number>> = {}) => {
  const process = vi.fn(overrides.process ?? succeedAll);
  const batcher = createBatcher<number, number>({
    size: 100,
    timeoutMs: 3_000,
    concurrency: 4,
    ...overrides,
    process,
  });
  return { batcher, process, groups: (): Group<number>[] => process.mock.calls.map(([group]) => group) };
};

beforeEach(() => {
  vi.useFakeTimers({ now: 1_000_000 });
});

afterEach(() => {
  vi.useRealTimers();
});

describe('options', () => {
  it.each([
    ['size', { size: 0 }],
    ['size', { size: 2.5 }],
    ['timeoutMs', { timeoutMs: -1 }],
    ['timeoutMs', { timeoutMs: Number.NaN }],
    ['timeoutMs', { timeoutMs: 2 ** 31 }],
    ['concurrency', { concurrency: 0 }],
    ['concurrency', { concurrency: Number.POSITIVE_INFINITY }],
    ['capacity', { capacity: 0 }],
    ['capacity', { capacity: 1.5 }],
    ['maxCapacity', { capacity: 500, maxCapacity: 499 }],
    ['maxCapacity', { capacity: 500, maxCapacity: 600.5 }],
    ['onCapacity', { onCapacity: 5 as unknown as () => void }],
    ['limitsOf', { limitsOf: 'EMAIL' as unknown as () => object }],
  ])('refuses a bad %s at once, with an error that names it', (field, overrides) => {
    const create = () => batcherWith(overrides);
    expect(create).toThrow(InvalidOptionError);
    expect(create).toThrow(`"${field}"`);
  });

  it('accepts a timeout of 0, releasing each group on the next timer tick', async () => {
    const { batcher, groups } = batcherWith({ timeoutMs: 0 });
    const value = batcher.add('k', 1);
    expect(groups()).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(0);
    await expect(value).resolves.toBe(10);
    expect(groups()[0]?.trigger).toBe('timeout');
  });
});

describe('size trigger', () => {
  it('releases a group when its 100th item arrives, not before', () => {
    const { batcher, groups } = batcherWith({ size: 100 });
    for (let item = 1; item <= 99; item += 1) void batcher.add('k', item);
    expect(groups()).toHaveLength(0);

    void batcher.add('k', 100);

    expect(groups()).toHaveLength(1);
    expect(groups()[0]).toMatchObject({ key: 'k', trigger: 'size' });
    expect(groups()[0]?.items).toEqual(Array.from({ length: 100 }, (_, index) => index + 1));
  });

  it('cancels the timeout of a group released by size', async () => {
    const { batcher, groups } = batcherWith({ size: 2 });
    void batcher.add('k', 1);
    void batcher.add('k', 2);
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(groups()).toHaveLength(1);
  });

  it('opens a fresh group, with its own timer, for the item after a release', async () => {
    const { batcher, groups } = batcherWith({ size: 2, timeoutMs: 3_000 });
    void batcher.add('k', 1);
    void batcher.add('k', 2);
    await vi.advanceTimersByTimeAsync(1_000);
    void batcher.add('k', 3);
    await vi.advanceTimersByTimeAsync(2_999);
    expect(groups()).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(groups()[1]).toMatchObject({ items: [3], trigger: 'timeout' });
  });
});

describe('weights', () => {
  /** Each group as `key trigger items weight`. */
  const parcels = (groups: ReadonlyArray<Group<number>>): string[] =>
    groups.map((group) => `${group.key} ${group.trigger} [${group.items.join(',')}] ${group.weight}`);

  it('releases a group when the weights of its items reach its size, not its item count', () => {
    const { batcher, groups } = batcherWith({ size: 100 });
    void batcher.add('k', 1, 30);
    void batcher.add('k', 2, 30);
    expect(groups()).toHaveLength(0);
    expect(batcher.snapshot.heldItems).toBe(60);

    void batcher.add('k', 3, 40);

    expect(parcels(groups())).toEqual(['k size [1,2,3] 100']);
  });

  it('sends an item that weighs the size or more alone, at once, and the open group keeps its items', () => {
    const { batcher, groups } = batcherWith({ size: 100 });
    void batcher.add('k', 1, 10);
    void batcher.add('k', 2, 150);
    void batcher.add('k', 3, 100);

    expect(parcels(groups())).toEqual(['k size [2] 150', 'k size [3] 100']);
    expect(batcher.snapshot).toMatchObject({ openGroups: 1, heldItems: 260 });

    void batcher.add('k', 4, 90);

    expect(parcels(groups()).at(-1)).toBe('k size [1,4] 100');
  });

  it('releases the open group first when the next item would not fit it, and opens the next group with that item', async () => {
    const { batcher, groups } = batcherWith({ size: 100, timeoutMs: 3_000 });
    void batcher.add('k', 1, 60);
    void batcher.add('k', 2, 30);
    void batcher.add('k', 3, 20);

    expect(parcels(groups())).toEqual(['k size [1,2] 90']);
    expect(batcher.snapshot).toMatchObject({ openGroups: 1, heldItems: 110 });

    await vi.advanceTimersByTimeAsync(3_000);

    expect(parcels(groups())).toEqual(['k size [1,2] 90', 'k timeout [3] 20']);
    expect(groups().every((group) => group.weight <= 100)).toBe(true);
  });

  it('counts the tasks held, in every state, not the items', async () => {
    const answers: Deferred<ReadonlyArray<Outcome<number>>>[] = [];
    const { batcher } = batcherWith({
      size: 100,
      concurrency: 1,
      process: () => {
        const answer = deferred<ReadonlyArray<Outcome<number>>>();
        answers.push(answer);
        return answer.promise;
      },
    });
    void batcher.add('a', 1, 100);
    void batcher.add('b', 2, 100);
    void batcher.add('c', 3, 30);
    void batcher.add('c', 4, 20);
    expect(batcher.snapshot).toEqual({ openGroups: 1, heldItems: 250, processing: 1, waiting: 1 });

    answers[0]?.resolve([{ ok: true, value: 1 }]);
    await settleMicrotasks();

    expect(batcher.snapshot).toEqual({ openGroups: 1, heldItems: 150, processing: 1, waiting: 0 });
  });

  it('lets a caller at a budget of 500 hold five parcels of 100; the sixth comes only as one settles', async () => {
    const answers: Deferred<ReadonlyArray<Outcome<number>>>[] = [];
    const released: Group<number>[] = [];
    const { batcher } = batcherWith({
      size: 100,
      concurrency: 4,
      capacity: 500,
      process: () => {
        const answer = deferred<ReadonlyArray<Outcome<number>>>();
        answers.push(answer);
        return answer.promise;
      },
      observer: { onRelease: (group) => released.push(group) },
    });
    feedLikeBullmq(batcher, { keys: 1, total: 20, capacity: 500, weight: 100 });

    expect(parcels(released)).toEqual([
      'type-0 size [0] 100',
      'type-0 size [1] 100',
      'type-0 size [2] 100',
      'type-0 size [3] 100',
      'type-0 size [4] 100',
    ]);
    expect(batcher.snapshot).toEqual({ openGroups: 0, heldItems: 500, processing: 4, waiting: 1 });

    answers[0]?.resolve([{ ok: true, value: 0 }]);
    await settleMicrotasks();

    expect(released).toHaveLength(6);
    expect(batcher.snapshot).toEqual({ openGroups: 0, heldItems: 500, processing: 4, waiting: 1 });
  });

  it('presses once the tasks held reach the budget, and releases the group holding the most tasks, not the most items', () => {
    const { batcher, groups } = batcherWith({ size: 100, capacity: 100, concurrency: 1 });
    void batcher.add('many', 1, 10);
    void batcher.add('many', 2, 10);
    void batcher.add('many', 3, 10);
    void batcher.add('heavy', 4, 60);
    expect(groups()).toHaveLength(0);

    void batcher.add('light', 5, 10);

    expect(parcels(groups())).toEqual(['heavy pressure [4] 60']);
  });

  it('waits, at the budget, for groups in flight whose tasks will let the fullest fill, and presses when they will not', async () => {
    const answers: Deferred<ReadonlyArray<Outcome<number>>>[] = [];
    const process = () => {
      const answer = deferred<ReadonlyArray<Outcome<number>>>();
      answers.push(answer);
      return answer.promise;
    };
    // One parcel of 100 in flight frees 100 tasks: a third each for three open keys.
    const waits = batcherWith({ size: 100, capacity: 300, concurrency: 2, process });
    void waits.batcher.add('a', 1, 100);
    void waits.batcher.add('b', 2, 90);
    void waits.batcher.add('c', 3, 50);
    void waits.batcher.add('d', 4, 60);
    expect(waits.batcher.snapshot.heldItems).toBe(300);
    expect(parcels(waits.groups())).toEqual(['a size [1] 100']);

    // A quarter each for four open keys, where the fullest lacks 50.
    const presses = batcherWith({ size: 100, capacity: 300, concurrency: 2, process });
    void presses.batcher.add('a', 1, 100);
    for (const [item, key] of ['b', 'c', 'd', 'e'].entries()) void presses.batcher.add(key, item + 2, 50);
    expect(parcels(presses.groups())).toEqual(['a size [1] 100', 'b pressure [2] 50']);
  });

  it.each([0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '2'])(
    'rejects an item of weight %s, naming weight, and changes nothing',
    async (weight) => {
      const { batcher, groups } = batcherWith({ size: 100, timeoutMs: 3_000 });
      void batcher.add('k', 1, 40);
      const before = batcher.snapshot;

      const value = batcher.add('k', 2, weight as number);

      await expect(value).rejects.toThrow(InvalidOptionError);
      await expect(value).rejects.toThrow('"weight"');
      expect(batcher.snapshot).toEqual(before);
      void batcher.add('k', 3, 60);
      expect(parcels(groups())).toEqual(['k size [1,3] 100']);
    },
  );
});

describe('timeout trigger', () => {
  it('releases a group exactly timeoutMs after its FIRST item, however late the others came', async () => {
    const { batcher, groups } = batcherWith({ size: 100, timeoutMs: 3_000 });
    const openedAt = Date.now();
    void batcher.add('k', 1);
    await vi.advanceTimersByTimeAsync(2_000);
    void batcher.add('k', 2);
    await vi.advanceTimersByTimeAsync(999);
    void batcher.add('k', 3);

    expect(Date.now() - openedAt).toBe(2_999);
    expect(groups()).toHaveLength(0);

    await vi.advanceTimersByTimeAsync(1);

    expect(groups()).toHaveLength(1);
    expect(groups()[0]).toEqual({
      key: 'k',
      items: [1, 2, 3],
      weight: 3,
      trigger: 'timeout',
      openedAt,
      releasedAt: openedAt + 3_000,
    });
  });
});

/** What released each group, in order: `key trigger size`. */
const releases = (groups: ReadonlyArray<Group<number>>): string[] =>
  groups.map((group) => `${group.key} ${group.trigger} ${group.items.length}`);

/**
 * A caller like a BullMQ worker of concurrency `capacity` (read anew each time, as BullMQ reads
 * its own): it keeps that many tasks in the batcher while any items are left to add, the keys
 * taking turns, and adds the next as one settles. Each item carries `weight` tasks (default 1).
 * `lastAddedAt` is when the load stopped: the groups still open then can only wait out their
 * timeout (the run-out), as they should.
 */
const feedLikeBullmq = (
  batcher: Batcher<number, number>,
  options: {
    readonly keys: number;
    readonly total: number;
    readonly capacity: number | (() => number);
    readonly weight?: number;
  },
): { readonly settled: () => number; readonly lastAddedAt: () => number } => {
  let added = 0;
  let settled = 0;
  let lastAddedAt = Number.NaN;
  const { capacity } = options;
  const limit = typeof capacity === 'number' ? () => capacity : capacity;
  const refill = (): void => {
    while (added < options.total && batcher.snapshot.heldItems < limit()) {
      const item = added;
      added += 1;
      if (added === options.total) lastAddedAt = Date.now();
      batcher.add(`type-${item % options.keys}`, item, options.weight).then(
        () => {
          settled += 1;
          refill();
        },
        () => undefined,
      );
    }
  };
  refill();
  return { settled: () => settled, lastAddedAt: () => lastAddedAt };
};

/** Moves the fake clock 1 ms at a time until `done()`, or until `limitMs` have passed. */
const runUntil = async (done: () => boolean, limitMs: number): Promise<void> => {
  const startedAt = Date.now();
  while (!done() && Date.now() - startedAt < limitMs) await vi.advanceTimersByTimeAsync(1);
};

/** Processing a group takes `ms`, as a handler and its commit would. */
const processIn =
  (ms: number) =>
  async (group: Group<number>): Promise<ReadonlyArray<Outcome<number>>> => {
    await new Promise((resolve) => setTimeout(resolve, ms));
    return succeedAll(group);
  };

/**
 * Runs `total` items of `keys` keys through a batcher fed as a BullMQ worker of concurrency
 * `held` would feed it, and answers the groups released while the load lasted and after it.
 */
const sustainedLoad = async (
  options: Partial<BatcherOptions<number, number>> & {
    readonly keys: number;
    readonly total: number;
    /** The caller's limit; `'follow'` starts at `capacity` and takes each `onCapacity` answer. */
    readonly held: number | 'follow';
  },
) => {
  const { keys, total, held, ...overrides } = options;
  const startedAt = Date.now();
  const limits: number[] = [];
  let limit = held === 'follow' ? (overrides.capacity ?? Number.POSITIVE_INFINITY) : held;
  const { batcher, groups } = batcherWith({
    ...overrides,
    onCapacity: (capacity) => {
      limits.push(capacity);
      if (held === 'follow') limit = capacity;
    },
  });
  const feed = feedLikeBullmq(batcher, { keys, total, capacity: () => limit });
  await runUntil(() => feed.settled() === total, 3_600_000);
  const underLoad = groups().filter((group) => group.releasedAt <= feed.lastAddedAt());
  return {
    settled: feed.settled(),
    /** Every budget `onCapacity` announced, in order. */
    limits,
    loadMs: feed.lastAddedAt() - startedAt,
    groups: groups(),
    underLoad,
    timedOutUnderLoad: underLoad.filter((group) => group.trigger === 'timeout'),
    timedOutInRunOut: groups().filter((group) => group.trigger === 'timeout' && !underLoad.includes(group)),
  };
};

/** The default settings (size 100, 4 groups processed, 500 held) under 30,000 items; 50 ms a group. */
const defaultLoad = {
  size: 100,
  timeoutMs: 3_000,
  concurrency: 4,
  capacity: 500,
  process: processIn(50),
  total: 30_000,
  held: 500,
} as const;

describe('pressure trigger', () => {
  it('releases the fullest open group at once when the items held reach capacity', () => {
    const { batcher, groups } = batcherWith({ size: 100, capacity: 10, concurrency: 1 });
    for (const key of ['a', 'b', 'b', 'a', 'b', 'c', 'b', 'a', 'b']) void batcher.add(key, 1);
    expect(groups()).toHaveLength(0);

    void batcher.add('c', 1);

    expect(releases(groups())).toEqual(['b pressure 5']);
    expect(batcher.snapshot).toMatchObject({ openGroups: 2, heldItems: 10, processing: 1 });
  });

  it('takes the group opened first among equally full ones', () => {
    const { batcher, groups } = batcherWith({ size: 100, capacity: 4, concurrency: 1 });
    for (const key of ['a', 'b', 'b', 'a']) void batcher.add(key, 1);
    expect(releases(groups())).toEqual(['a pressure 2']);
  });

  it('releases one group for each free processing slot, and no more', () => {
    const { batcher, groups } = batcherWith({
      size: 100,
      capacity: 6,
      concurrency: 2,
      process: () => deferred<ReadonlyArray<Outcome<number>>>().promise,
    });
    for (const key of ['a', 'b', 'a', 'c', 'b', 'a']) void batcher.add(key, 1);

    expect(releases(groups())).toEqual(['a pressure 3', 'b pressure 2']);
    expect(batcher.snapshot).toEqual({ openGroups: 1, heldItems: 6, processing: 2, waiting: 0 });
  });

  it('leaves open groups to fill while every processing slot is busy: a settlement makes room', async () => {
    const answers: Deferred<ReadonlyArray<Outcome<number>>>[] = [];
    const { batcher, groups } = batcherWith({
      size: 4,
      capacity: 6,
      concurrency: 1,
      process: () => {
        const answer = deferred<ReadonlyArray<Outcome<number>>>();
        answers.push(answer);
        return answer.promise;
      },
    });
    for (const key of ['a', 'a', 'a', 'a', 'b', 'b']) void batcher.add(key, 1);
    expect(releases(groups())).toEqual(['a size 4']);
    expect(batcher.snapshot.heldItems).toBe(6);

    answers[0]?.resolve([1, 2, 3, 4].map((value) => ({ ok: true, value })));
    await settleMicrotasks();
    void batcher.add('b', 1);
    void batcher.add('b', 1);

    expect(releases(groups())).toEqual(['a size 4', 'b size 4']);
  });

  it('relieves a caller that went over capacity as soon as a processing slot frees', async () => {
    const answers: Deferred<ReadonlyArray<Outcome<number>>>[] = [];
    const { batcher, groups } = batcherWith({
      size: 4,
      capacity: 6,
      concurrency: 1,
      process: () => {
        const answer = deferred<ReadonlyArray<Outcome<number>>>();
        answers.push(answer);
        return answer.promise;
      },
    });
    for (const key of ['a', 'a', 'a', 'a', 'b', 'b', 'b', 'c', 'c', 'c']) void batcher.add(key, 1);
    expect(releases(groups())).toEqual(['a size 4']);

    answers[0]?.resolve([1, 2, 3, 4].map((value) => ({ ok: true, value })));
    await settleMicrotasks();

    expect(releases(groups())).toEqual(['a size 4', 'b pressure 3']);
  });

  it('never presses without a capacity, however many items it holds', () => {
    const { batcher, groups } = batcherWith({ size: 100 });
    for (let item = 0; item < 10_000; item += 1) void batcher.add(`key-${item % 200}`, item);
    expect(groups()).toHaveLength(0);
  });

  describe('under the load of issue 14: size 200, one group processed at a time, 400 held', () => {
    // A group takes 200 ms, so that 6,000 items keep the batcher busy for longer than a timeout.
    const load = { size: 200, timeoutMs: 3_000, concurrency: 1, process: processIn(200), total: 6_000, held: 400 };

    it('one key: every group leaves full, as before', async () => {
      const run = await sustainedLoad({ ...load, keys: 1, capacity: 400 });
      expect(run.settled).toBe(6_000);
      expect(new Set(run.groups.map((group) => group.trigger))).toEqual(new Set<FlushTrigger>(['size']));
    });

    it('three keys, no capacity (the old rule): no group can fill, and every one waits out its timeout', async () => {
      const run = await sustainedLoad({ ...load, keys: 3 });
      expect(run.settled).toBe(6_000);
      expect(new Set(run.groups.map((group) => group.trigger))).toEqual(new Set<FlushTrigger>(['timeout']));
    });

    it('three keys: the fullest group leaves under pressure, and none waits out its timeout under load', async () => {
      const run = await sustainedLoad({ ...load, keys: 3, capacity: 400 });

      expect(run.settled).toBe(6_000);
      expect(run.loadMs).toBeGreaterThan(load.timeoutMs);
      expect(run.timedOutUnderLoad).toEqual([]);
      expect(run.underLoad.filter((group) => group.trigger === 'pressure').length).toBeGreaterThan(0);
      // Once the load stops, what is still open waits out its timeout: at most a group per key.
      expect(run.timedOutInRunOut.length).toBeLessThanOrEqual(3);
      expect(Math.max(...run.groups.map((group) => group.items.length))).toBeLessThanOrEqual(200);
    });
  });

  it('three keys in the default budget fill every group by size: releasing early would only make smaller ones', async () => {
    // 500 held = four groups in flight and room for all three keys to fill one more each.
    const run = await sustainedLoad({ ...defaultLoad, keys: 3 });

    expect(run.settled).toBe(30_000);
    expect(run.loadMs).toBeGreaterThan(3_000);
    expect(new Set(run.underLoad.map((group) => group.trigger))).toEqual(new Set<FlushTrigger>(['size']));
  });

  it('keeps twenty keys flowing in a fixed budget: none waits out its timeout, groups of about capacity ÷ (keys ÷ 2 + concurrency)', async () => {
    const run = await sustainedLoad({ ...defaultLoad, keys: 20 });

    expect(run.settled).toBe(30_000);
    expect(run.loadMs).toBeGreaterThan(3_000);
    expect(run.timedOutUnderLoad).toEqual([]);
    const mean = run.underLoad.reduce((sum, group) => sum + group.items.length, 0) / run.underLoad.length;
    expect(mean).toBeGreaterThan((0.8 * 500) / (20 / 2 + 4));
  });
});

describe('hold budget', () => {
  // The caller follows each budget the batcher announces, as the BatchWorker's BullMQ worker does.
  const twentyKeys = { ...defaultLoad, keys: 20, held: 'follow' } as const;

  it('grows with the keys in use: twenty keys of 100 and four slots hold 20 × 100 + 4 × 100, and their groups leave full', async () => {
    const run = await sustainedLoad({ ...twentyKeys, maxCapacity: 5_000 });

    expect(run.settled).toBe(30_000);
    expect(run.loadMs).toBeGreaterThan(3_000);
    expect(Math.max(...run.limits)).toBe(2_400);
    // Before the first settlement the budget is still 500, so the first group of each free slot
    // leaves under pressure; after it, every group under load fills.
    const [first, second, third, fourth, ...rest] = run.underLoad;
    expect([first, second, third, fourth].map((group) => group?.trigger)).toEqual([
      'pressure',
      'pressure',
      'pressure',
      'pressure',
    ]);
    expect(new Set(rest.map((group) => group.trigger))).toEqual(new Set<FlushTrigger>(['size']));
    expect(rest.every((group) => group.items.length === 100)).toBe(true);
  });

  it('shrinks back to capacity once the keys are out of use', async () => {
    const run = await sustainedLoad({ ...twentyKeys, maxCapacity: 5_000 });

    expect(run.limits.at(-1)).toBe(500);
    expect(Math.min(...run.limits)).toBe(500);
  });

  it('stops at maxCapacity, past which pressure keeps the keys flowing: none waits out its timeout', async () => {
    const run = await sustainedLoad({ ...twentyKeys, keys: 200, total: 60_000, maxCapacity: 2_000 });

    expect(run.settled).toBe(60_000);
    expect(Math.max(...run.limits)).toBe(2_000);
    expect(run.timedOutUnderLoad).toEqual([]);
    expect(run.underLoad.filter((group) => group.trigger === 'pressure').length).toBeGreaterThan(0);
  });

  it('stays fixed without a maxCapacity: nothing is announced', async () => {
    const run = await sustainedLoad({ ...twentyKeys, total: 5_000 });

    expect(run.settled).toBe(5_000);
    expect(run.limits).toEqual([]);
  });

  it('announces a budget only as a group settles, never as items arrive', async () => {
    const announced: number[] = [];
    const { batcher } = batcherWith({ capacity: 500, maxCapacity: 5_000, onCapacity: (n) => announced.push(n) });
    for (let item = 0; item < 200; item += 1) void batcher.add(`key-${item % 20}`, item);
    await settleMicrotasks();
    expect(announced).toEqual([]);

    await vi.advanceTimersByTimeAsync(3_000);

    // Every group timed out and settled, each counting its own key as it settles: the first with
    // all twenty in use, the last with only its own.
    expect(announced[0]).toBe(20 * 100 + 4 * 100);
    expect(announced.at(-1)).toBe(500);
  });

  it('counts each key at its own size, and keeps room for groups in flight of the largest', async () => {
    const announced: number[] = [];
    const { batcher } = batcherWith({
      size: 2,
      concurrency: 1,
      capacity: 4,
      maxCapacity: 1_000,
      limitsOf: (key) => (key === 'big' ? { size: 10 } : {}),
      onCapacity: (n) => announced.push(n),
    });
    void batcher.add('big', 1);
    void batcher.add('small', 2);
    void batcher.add('small', 3);

    await settleMicrotasks();

    // 'small' is settling and 'big' is open: 2 + 10, and one slot's group of the largest, 10.
    expect(announced).toEqual([22]);
  });
});

describe('per-key limits', () => {
  it('never puts more items in a group than its key’s size', () => {
    const { batcher, groups } = batcherWith({ size: 5, limitsOf: (key) => (key === 'small' ? { size: 3 } : {}) });
    for (let item = 1; item <= 7; item += 1) void batcher.add('small', item);
    for (let item = 1; item <= 5; item += 1) void batcher.add('large', item);

    expect(releases(groups())).toEqual(['small size 3', 'small size 3', 'large size 5']);
    expect(batcher.snapshot.openGroups).toBe(1);
  });

  it('releases a group on its key’s own timeout, and the others on the batcher’s', async () => {
    const { batcher, groups } = batcherWith({
      size: 100,
      timeoutMs: 3_000,
      limitsOf: (key) => (key === 'urgent' ? { timeoutMs: 500 } : {}),
    });
    const openedAt = Date.now();
    void batcher.add('urgent', 1);
    void batcher.add('relaxed', 2);

    await vi.advanceTimersByTimeAsync(499);
    expect(groups()).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(groups()).toEqual([
      expect.objectContaining({ key: 'urgent', trigger: 'timeout', releasedAt: openedAt + 500 }),
    ]);

    await vi.advanceTimersByTimeAsync(2_500);
    expect(groups()[1]).toMatchObject({ key: 'relaxed', trigger: 'timeout', releasedAt: openedAt + 3_000 });
  });

  it('reads a key’s limits once per group, when the group opens', () => {
    const limitsOf = vi.fn((_key: string) => ({ size: 2 }));
    const { batcher } = batcherWith({ limitsOf });
    for (let item = 1; item <= 5; item += 1) void batcher.add('k', item);
    expect(limitsOf.mock.calls).toEqual([['k'], ['k'], ['k']]);
  });

  it.each([
    ['size', { size: 0 }],
    ['size', { size: 1.5 }],
    ['timeoutMs', { timeoutMs: -1 }],
    ['timeoutMs', { timeoutMs: 2 ** 31 }],
  ])('rejects the item of a key whose %s is out of range, naming the key, and holds nothing', async (field, limits) => {
    const { batcher } = batcherWith({ limitsOf: (key) => (key === 'bad' ? limits : { size: 1 }) });

    const value = batcher.add('bad', 1);

    await expect(value).rejects.toThrow(InvalidOptionError);
    await expect(value).rejects.toThrow(`"limitsOf("bad").${field}"`);
    expect(batcher.snapshot).toEqual({ openGroups: 0, heldItems: 0, processing: 0, waiting: 0 });
    await expect(batcher.add('good', 2)).resolves.toBe(20);
  });
});

describe('keys', () => {
  it('keeps one open group per key, each released on its own', async () => {
    const { batcher, groups } = batcherWith({ size: 2, timeoutMs: 3_000 });
    void batcher.add('email', 1);
    void batcher.add('sms', 2);
    void batcher.add('email', 3);

    expect(groups()).toEqual([expect.objectContaining({ key: 'email', items: [1, 3], trigger: 'size' })]);
    expect(batcher.snapshot.openGroups).toBe(1);

    await vi.advanceTimersByTimeAsync(3_000);

    expect(groups()[1]).toMatchObject({ key: 'sms', items: [2], trigger: 'timeout' });
  });

  it('resolves each item with its own value', async () => {
    const { batcher } = batcherWith({ size: 3 });
    const values = [batcher.add('a', 1), batcher.add('b', 2), batcher.add('a', 3), batcher.add('a', 4)];
    await vi.advanceTimersByTimeAsync(3_000);
    await expect(Promise.all(values)).resolves.toEqual([10, 20, 30, 40]);
  });
});

describe('concurrency', () => {
  it('holds released groups back, in FIFO order, until an earlier group settles', async () => {
    const answers = new Map<string, Deferred<ReadonlyArray<Outcome<number>>>>();
    const { batcher, groups } = batcherWith({
      size: 1,
      concurrency: 2,
      process: (group) => {
        const answer = deferred<ReadonlyArray<Outcome<number>>>();
        answers.set(group.key, answer);
        return answer.promise;
      },
    });
    const values = ['a', 'b', 'c', 'd'].map((key, index) => batcher.add(key, index));

    expect(groups().map((group) => group.key)).toEqual(['a', 'b']);
    expect(batcher.snapshot).toEqual({ openGroups: 0, heldItems: 4, processing: 2, waiting: 2 });

    answers.get('b')?.resolve([{ ok: true, value: 1 }]);
    await settleMicrotasks();
    expect(groups().map((group) => group.key)).toEqual(['a', 'b', 'c']);

    answers.get('a')?.resolve([{ ok: true, value: 0 }]);
    await settleMicrotasks();
    expect(groups().map((group) => group.key)).toEqual(['a', 'b', 'c', 'd']);

    answers.get('c')?.resolve([{ ok: true, value: 2 }]);
    answers.get('d')?.resolve([{ ok: true, value: 3 }]);
    await expect(Promise.all(values)).resolves.toEqual([0, 1, 2, 3]);
    expect(batcher.snapshot).toEqual({ openGroups: 0, heldItems: 0, processing: 0, waiting: 0 });
  });
});

describe('drain', () => {
  it('releases open groups with trigger shutdown and resolves once they are processed', async () => {
    const answer = deferred<ReadonlyArray<Outcome<number>>>();
    const { batcher, groups } = batcherWith({ size: 100, timeoutMs: 3_000, process: () => answer.promise });
    const values = [batcher.add('k', 1), batcher.add('k', 2)];

    const drained = watch(batcher.drain());

    expect(groups()).toEqual([expect.objectContaining({ items: [1, 2], trigger: 'shutdown' })]);
    await settleMicrotasks();
    expect(drained.settled()).toBe(false);

    answer.resolve([
      { ok: true, value: 10 },
      { ok: true, value: 20 },
    ]);
    await settleMicrotasks();

    expect(drained.settled()).toBe(true);
    await expect(Promise.all(values)).resolves.toEqual([10, 20]);
  });

  it('flushes items added during a drain promptly, and waits for them too', async () => {
    const answers: Deferred<ReadonlyArray<Outcome<number>>>[] = [];
    const { batcher, groups } = batcherWith({
      size: 100,
      timeoutMs: 3_000,
      process: () => {
        const answer = deferred<ReadonlyArray<Outcome<number>>>();
        answers.push(answer);
        return answer.promise;
      },
    });
    void batcher.add('k', 1);
    const drained = watch(batcher.drain());
    const late = [batcher.add('k', 2), batcher.add('k', 3)];

    await vi.advanceTimersByTimeAsync(0);

    expect(groups().map((group) => [group.items, group.trigger])).toEqual([
      [[1], 'shutdown'],
      [[2, 3], 'shutdown'],
    ]);
    answers[0]?.resolve([{ ok: true, value: 1 }]);
    await settleMicrotasks();
    expect(drained.settled()).toBe(false);

    answers[1]?.resolve([
      { ok: true, value: 2 },
      { ok: true, value: 3 },
    ]);
    await settleMicrotasks();
    expect(drained.settled()).toBe(true);
    await expect(Promise.all(late)).resolves.toEqual([2, 3]);
  });

  it('keeps releasing promptly after a drain has resolved', async () => {
    const { batcher, groups } = batcherWith({ size: 100, timeoutMs: 3_000 });
    await batcher.drain();
    const value = batcher.add('k', 7);
    await vi.advanceTimersByTimeAsync(0);
    await expect(value).resolves.toBe(70);
    expect(groups()[0]?.trigger).toBe('shutdown');
  });

  it('resolves at once when nothing is held', async () => {
    const { batcher } = batcherWith();
    await expect(batcher.drain()).resolves.toBeUndefined();
  });

  it('waits for groups already processing and queued behind the concurrency limit', async () => {
    const answers: Deferred<ReadonlyArray<Outcome<number>>>[] = [];
    const { batcher } = batcherWith({
      size: 1,
      concurrency: 1,
      process: () => {
        const answer = deferred<ReadonlyArray<Outcome<number>>>();
        answers.push(answer);
        return answer.promise;
      },
    });
    void batcher.add('a', 1);
    void batcher.add('b', 2);
    const drained = watch(batcher.drain());

    answers[0]?.resolve([{ ok: true, value: 1 }]);
    await settleMicrotasks();
    expect(drained.settled()).toBe(false);

    answers[1]?.resolve([{ ok: true, value: 2 }]);
    await settleMicrotasks();
    expect(drained.settled()).toBe(true);
  });
});

describe('failures', () => {
  it('settles each item with its own outcome when a group succeeds only in part', async () => {
    const { batcher } = batcherWith({
      size: 3,
      process: async (group) =>
        group.items.map(
          (item): Outcome<number> =>
            item === 2 ? { ok: false, error: new Error(`item ${item} is bad`) } : { ok: true, value: item * 10 },
        ),
    });
    const values = [1, 2, 3].map((item) => batcher.add('k', item));

    const settled = await Promise.allSettled(values);

    expect(settled).toEqual([
      { status: 'fulfilled', value: 10 },
      { status: 'rejected', reason: new Error('item 2 is bad') },
      { status: 'fulfilled', value: 30 },
    ]);
  });

  it('rejects every item of a group with the error process rejected with', async () => {
    const failure = new Error('database unreachable');
    const { batcher } = batcherWith({ size: 2, process: () => Promise.reject(failure) });
    const values = [batcher.add('k', 1), batcher.add('k', 2)];

    for (const value of values) await expect(value).rejects.toBe(failure);
  });

  it('rejects every item of a group with the error process threw synchronously', async () => {
    const failure = new Error('handler bug');
    const { batcher } = batcherWith({
      size: 2,
      process: () => {
        throw failure;
      },
    });
    const values = [batcher.add('k', 1), batcher.add('k', 2)];

    for (const value of values) await expect(value).rejects.toBe(failure);
  });

  it('rejects every item, saying so, when process returns the wrong number of outcomes', async () => {
    const { batcher } = batcherWith({ size: 3, process: async () => [{ ok: true, value: 1 }] });
    const values = [1, 2, 3].map((item) => batcher.add('k', item));

    for (const value of values) {
      await expect(value).rejects.toThrow(OutcomeCountError);
      await expect(value).rejects.toThrow('process returned 1 outcomes for group "k" of 3 items');
    }
  });

  it('goes on processing later groups after a group fails', async () => {
    let calls = 0;
    const { batcher } = batcherWith({
      size: 1,
      concurrency: 1,
      process: async (group) => {
        calls += 1;
        if (calls === 1) throw new Error('first group fails');
        return succeedAll(group);
      },
    });
    const first = batcher.add('k', 1);
    const second = batcher.add('k', 2);

    await expect(first).rejects.toThrow('first group fails');
    await expect(second).resolves.toBe(20);
  });
});

describe('observer', () => {
  it('reports each release, and each settlement with its processing time and any group error', async () => {
    const events: string[] = [];
    const failure = new Error('boom');
    const { batcher } = batcherWith({
      size: 2,
      process: async (group) => {
        await new Promise((resolve) => setTimeout(resolve, 250));
        if (group.key === 'bad') throw failure;
        return succeedAll(group);
      },
      observer: {
        onRelease: (group) => events.push(`release ${group.key} ${group.trigger} ${group.items.length}`),
        onSettled: (group, durationMs, error) =>
          events.push(`settled ${group.key} ${durationMs}ms ${error?.message ?? 'ok'}`),
      },
    });
    const values = [batcher.add('good', 1), batcher.add('good', 2), batcher.add('bad', 3)];
    for (const value of values) value.catch(() => undefined);

    await vi.advanceTimersByTimeAsync(3_250);

    expect(events).toEqual([
      'release good size 2',
      'settled good 250ms ok',
      'release bad timeout 1',
      'settled bad 250ms boom',
    ]);
  });

  it('counts held items in every state for gauges', async () => {
    const answer = deferred<ReadonlyArray<Outcome<number>>>();
    const { batcher } = batcherWith({ size: 2, concurrency: 1, process: () => answer.promise });
    void batcher.add('a', 1);
    void batcher.add('a', 2);
    void batcher.add('b', 3);
    void batcher.add('b', 4);
    void batcher.add('c', 5);

    expect(batcher.snapshot).toEqual({ openGroups: 1, heldItems: 5, processing: 1, waiting: 1 });
  });
});
