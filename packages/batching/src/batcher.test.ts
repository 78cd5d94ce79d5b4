import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createBatcher, type BatcherOptions, type Group, type Outcome } from './batcher.js';
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
      trigger: 'timeout',
      openedAt,
      releasedAt: openedAt + 3_000,
    });
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
