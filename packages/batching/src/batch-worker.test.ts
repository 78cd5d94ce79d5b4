import { test, waitFor } from '@sluice/testkit';
import { Queue, UnrecoverableError, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createBatchWorker, type BatchWorkerOptions } from './batch-worker.js';
import type { FlushTrigger, Group, Outcome } from './batcher.js';
import { InvalidOptionError } from './invalid-option-error.js';

interface Numbered {
  readonly n: number;
  /** A parcel's tasks, for the specs of jobs that carry many. */
  readonly tasks?: ReadonlyArray<number>;
}

type NumberedJob = Job<Numbered, number>;

/** What processGroup saw of one group: enough to assert on without holding Job objects. */
interface SeenGroup {
  readonly key: string;
  readonly trigger: FlushTrigger;
  readonly weight: number;
  readonly jobs: ReadonlyArray<{ readonly name: string; readonly n: number; readonly attemptsMade: number }>;
}

const openQueue = (redisUrl: string, queueName: string): Queue<Numbered, number> => {
  const queue = new Queue<Numbered, number>(queueName, { connection: { url: redisUrl } });
  onTestFinished(() => queue.close());
  return queue;
};

/**
 * Starts a BatchWorker over the test's queue that records every group it is handed, and whose
 * outcomes come from `decide` (default: each job's value is n²).
 */
const startWorker = (
  redisUrl: string,
  queueName: string,
  options: Omit<BatchWorkerOptions<Numbered, number>, 'queueName' | 'connection' | 'processGroup'> & {
    readonly decide?: (job: NumberedJob) => Outcome<number>;
    readonly answerAfterMs?: number;
  } = {},
) => {
  const { decide = (job) => ({ ok: true, value: job.data.n ** 2 }), answerAfterMs = 0, ...rest } = options;
  const seen: SeenGroup[] = [];
  const processGroup = async (group: Group<NumberedJob>): Promise<ReadonlyArray<Outcome<number>>> => {
    seen.push({
      key: group.key,
      trigger: group.trigger,
      weight: group.weight,
      jobs: group.items.map((job) => ({ name: job.name, n: job.data.n, attemptsMade: job.attemptsMade })),
    });
    if (answerAfterMs > 0) await new Promise((resolve) => setTimeout(resolve, answerAfterMs));
    return group.items.map(decide);
  };
  const batchWorker = createBatchWorker<Numbered, number>({
    queueName,
    connection: { url: redisUrl },
    processGroup,
    ...rest,
  });
  const errors: Error[] = [];
  batchWorker.worker.on('error', (error) => errors.push(error));
  onTestFinished(() => batchWorker.close());
  return { batchWorker, seen, errors };
};

const numbered = (count: number, name = 'square', opts = {}) =>
  Array.from({ length: count }, (_, index) => ({ name, data: { n: index + 1 }, opts }));

const settledCount = async (queue: Queue<Numbered, number>): Promise<number> => {
  const counts = await queue.getJobCounts('completed', 'failed');
  return (counts.completed ?? 0) + (counts.failed ?? 0);
};

describe('createBatchWorker against a real Redis', () => {
  test('hands processGroup groups of exactly 100, 100 and 50 (the last on its timeout) and completes every job with its own value', async ({
    redisUrl,
    queueName,
  }) => {
    const queue = openQueue(redisUrl, queueName);
    await queue.addBulk(numbered(250));

    // The timeout must outlast fetching the last 50 jobs one by one, even on a loaded machine,
    // or the last group would be split in two: it bounds a wait, it is not a speed check.
    const { seen, errors } = startWorker(redisUrl, queueName, { size: 100, timeoutMs: 1_000 });
    await waitFor(async () => (await queue.getCompletedCount()) === 250, { what: '250 jobs completed' });

    expect(seen.map((group) => [group.key, group.jobs.length, group.trigger])).toEqual([
      ['square', 100, 'size'],
      ['square', 100, 'size'],
      ['square', 50, 'timeout'],
    ]);
    const grouped = seen.flatMap((group) => group.jobs.map((job) => job.n));
    expect(new Set(grouped).size).toBe(250);

    const completed = await queue.getJobs(['completed'], 0, -1);
    expect(completed).toHaveLength(250);
    for (const job of completed) expect(job.returnvalue).toBe(job.data.n ** 2);
    expect(errors).toEqual([]);
  });

  test('puts jobs of different names in different groups', async ({ redisUrl, queueName }) => {
    const queue = openQueue(redisUrl, queueName);
    await queue.addBulk([
      { name: 'email', data: { n: 1 } },
      { name: 'sms', data: { n: 2 } },
      { name: 'email', data: { n: 3 } },
      { name: 'sms', data: { n: 4 } },
      { name: 'email', data: { n: 5 } },
    ]);

    const { seen } = startWorker(redisUrl, queueName, { size: 100, timeoutMs: 300 });
    await waitFor(async () => (await queue.getCompletedCount()) === 5, { what: '5 jobs completed' });

    const byKey = [...seen].sort((a, b) => a.key.localeCompare(b.key));
    expect(byKey.map((group) => [group.key, group.jobs.map((job) => `${job.name}:${job.n}`)])).toEqual([
      ['email', ['email:1', 'email:3', 'email:5']],
      ['sms', ['sms:2', 'sms:4']],
    ]);
  });

  test('groups by keyOf when one is given', async ({ redisUrl, queueName }) => {
    const queue = openQueue(redisUrl, queueName);
    await queue.addBulk(numbered(6));

    const { seen } = startWorker(redisUrl, queueName, {
      size: 100,
      timeoutMs: 300,
      keyOf: (job) => (job.data.n % 2 === 0 ? 'even' : 'odd'),
    });
    await waitFor(async () => (await queue.getCompletedCount()) === 6, { what: '6 jobs completed' });

    const byKey = [...seen].sort((a, b) => a.key.localeCompare(b.key));
    expect(byKey.map((group) => [group.key, group.jobs.map((job) => job.n)])).toEqual([
      ['even', [2, 4, 6]],
      ['odd', [1, 3, 5]],
    ]);
  });

  test('retries only the job whose outcome failed, per its attempts and backoff, while the others complete', async ({
    redisUrl,
    queueName,
  }) => {
    const queue = openQueue(redisUrl, queueName);
    await queue.addBulk(numbered(5, 'square', { attempts: 3, backoff: { type: 'fixed', delay: 100 } }));

    const { seen, errors } = startWorker(redisUrl, queueName, {
      size: 100,
      timeoutMs: 300,
      decide: (job) => {
        if (job.data.n === 2 && job.attemptsMade === 0) return { ok: false, error: new Error('flaky once') };
        if (job.data.n === 4) return { ok: false, error: new Error('always broken') };
        return { ok: true, value: job.data.n ** 2 };
      },
    });
    await waitFor(async () => (await settledCount(queue)) === 5, { what: '5 jobs settled' });

    // Inside processGroup, attemptsMade counts the attempts that came before this one.
    const attemptsSeen = (n: number): number[] =>
      seen.flatMap((group) => group.jobs.filter((job) => job.n === n).map((job) => job.attemptsMade));
    expect([1, 2, 3, 4, 5].map(attemptsSeen)).toEqual([[0], [0, 1], [0], [0, 1, 2], [0]]);

    const jobs = new Map((await queue.getJobs(['completed', 'failed'], 0, -1)).map((job) => [job.data.n, job]));
    for (const n of [1, 3, 5]) {
      expect(await jobs.get(n)?.getState()).toBe('completed');
      expect(jobs.get(n)?.attemptsMade).toBe(1);
    }
    expect(await jobs.get(2)?.getState()).toBe('completed');
    expect(jobs.get(2)?.returnvalue).toBe(4);
    expect(jobs.get(2)?.attemptsMade).toBe(2);
    expect(await jobs.get(4)?.getState()).toBe('failed');
    expect(jobs.get(4)?.failedReason).toBe('always broken');
    expect(jobs.get(4)?.attemptsMade).toBe(3);
    expect(errors).toEqual([]);
  });

  test('fails a job at once, skipping its remaining attempts, when its outcome is an UnrecoverableError', async ({
    redisUrl,
    queueName,
  }) => {
    const queue = openQueue(redisUrl, queueName);
    await queue.addBulk(numbered(3, 'square', { attempts: 5, backoff: { type: 'fixed', delay: 100 } }));

    const { seen } = startWorker(redisUrl, queueName, {
      size: 100,
      timeoutMs: 300,
      decide: (job) =>
        job.data.n === 3
          ? { ok: false, error: new UnrecoverableError('payload can never work') }
          : { ok: true, value: job.data.n ** 2 },
    });
    await waitFor(async () => (await settledCount(queue)) === 3, { what: '3 jobs settled' });

    expect(seen).toHaveLength(1);
    const failed = await queue.getJobs(['failed'], 0, -1);
    expect(failed.map((job) => [job.data.n, job.failedReason, job.attemptsMade])).toEqual([
      [3, 'payload can never work', 1],
    ]);
    expect(await queue.getCompletedCount()).toBe(2);
  });

  test('close() releases an open group with trigger shutdown, waits for it, and leaves no job active', async ({
    redisUrl,
    queueName,
  }) => {
    const queue = openQueue(redisUrl, queueName);
    await queue.addBulk(numbered(5));

    // Neither size nor timeout can release this group during the test: only close() can.
    const { batchWorker, seen, errors } = startWorker(redisUrl, queueName, {
      size: 100,
      timeoutMs: 600_000,
      answerAfterMs: 200,
    });
    await waitFor(() => batchWorker.snapshot.heldItems === 5, { what: '5 jobs held in an open group' });
    expect(await queue.getActiveCount()).toBe(5);
    expect(seen).toEqual([]);

    await batchWorker.close();

    expect(seen.map((group) => [group.trigger, group.jobs.length])).toEqual([['shutdown', 5]]);
    expect(await queue.getActiveCount()).toBe(0);
    expect(await queue.getCompletedCount()).toBe(5);
    expect(batchWorker.snapshot).toEqual({ openGroups: 0, heldItems: 0, processing: 0, waiting: 0 });
    expect(batchWorker.worker.closing).toBeTruthy();
    expect(errors).toEqual([]);
  });

  test('keeps the locks of held jobs alive while their group waits longer than lockDuration', async ({
    redisUrl,
    queueName,
  }) => {
    const queue = openQueue(redisUrl, queueName);
    await queue.addBulk(numbered(3));

    // Without renewal the 1 s locks would lapse and the 300 ms stalled check would hand the jobs
    // out again (twice, with maxStalledCount 1) long before the 2.5 s timeout releases the group.
    const { batchWorker, seen, errors } = startWorker(redisUrl, queueName, {
      size: 100,
      timeoutMs: 2_500,
      workerOptions: { lockDuration: 1_000, stalledInterval: 300 },
    });
    const stalled: string[] = [];
    batchWorker.worker.on('stalled', (jobId) => stalled.push(jobId));
    await waitFor(async () => (await queue.getCompletedCount()) === 3, { what: '3 jobs completed' });

    expect(seen.map((group) => [group.trigger, group.jobs.length])).toEqual([['timeout', 3]]);
    expect(stalled).toEqual([]);
    const completed = await queue.getJobs(['completed'], 0, -1);
    expect(completed.map((job) => job.attemptsStarted)).toEqual([1, 1, 1]);
    expect(errors).toEqual([]);
  });

  test('leaves a held job out of its group once its lock could not be renewed: this worker can no longer settle it', async ({
    redisUrl,
    queueName,
  }) => {
    const queue = openQueue(redisUrl, queueName);
    const [, lost] = await queue.addBulk(numbered(3));
    const lostId = lost?.id ?? '';
    const { batchWorker, seen } = startWorker(redisUrl, queueName, {
      size: 100,
      timeoutMs: 600_000,
      // Renewal every 500 ms; no stalled check during the test, so the job stays where it is.
      workerOptions: { lockDuration: 1_000, stalledInterval: 600_000 },
    });
    const renewalFailed: string[] = [];
    batchWorker.worker.on('lockRenewalFailed', (jobIds) => renewalFailed.push(...jobIds));
    await waitFor(() => batchWorker.snapshot.heldItems === 3, { what: '3 jobs held in an open group' });

    // What an event-loop stall longer than the lock leaves behind: the lock has expired.
    const redis = new Redis(redisUrl);
    await redis.del(`bull:${queueName}:${lostId}:lock`);
    redis.disconnect();
    await waitFor(() => renewalFailed.includes(lostId), { what: 'the failed renewal reported' });
    await batchWorker.close();

    expect(seen.map((group) => group.jobs.map((job) => job.n))).toEqual([[1, 3]]);
    expect(await queue.getCompletedCount()).toBe(2);
    // Still active, lock gone: the next stalled check hands it to whichever worker comes next.
    expect(await queue.getJobState(lostId)).toBe('active');
  });

  test('lets a group fill while others are processed: BullMQ concurrency is size × (concurrency + 1)', async ({
    redisUrl,
    queueName,
  }) => {
    const { batchWorker } = startWorker(redisUrl, queueName, {
      size: 10,
      concurrency: 2,
      timeoutMs: 12_000,
      workerOptions: { autorun: false },
    });
    expect(batchWorker.worker.concurrency).toBe(30);
    expect(batchWorker.worker.opts.lockDuration).toBe(48_000);
  });

  test('releases the fullest group under pressure once the held jobs fill BullMQ’s concurrency, instead of letting every group wait out its timeout', async ({
    redisUrl,
    queueName,
  }) => {
    const queue = openQueue(redisUrl, queueName);
    // Three keys taking turns: 20 held jobs (10 × (1 + 1)) are never 10 of one key at once.
    await queue.addBulk(
      Array.from({ length: 60 }, (_, index) => ({ name: `key-${index % 3}`, data: { n: index + 1 } })),
    );

    // No group can time out during the test: only size, pressure and close() release them.
    const { batchWorker, seen, errors } = startWorker(redisUrl, queueName, {
      size: 10,
      concurrency: 1,
      timeoutMs: 600_000,
    });
    // At the end fewer than 20 jobs are left and the last groups would wait for their timeout.
    await waitFor(async () => (await queue.getCompletedCount()) >= 40, { what: '40 jobs completed' });
    await batchWorker.close();

    expect(await queue.getCompletedCount()).toBe(60);
    const triggers = new Set(seen.map((group) => group.trigger));
    expect(triggers.has('pressure')).toBe(true);
    expect(triggers.has('timeout')).toBe(false);
    for (const group of seen) {
      expect(group.jobs.length).toBeLessThanOrEqual(10);
      expect(new Set(group.jobs.map((job) => job.name))).toEqual(new Set([group.key]));
    }
    expect(errors).toEqual([]);
  });

  test('gives each key its own size and timeout through limitsOf, and the others the defaults', async ({
    redisUrl,
    queueName,
  }) => {
    const queue = openQueue(redisUrl, queueName);
    await queue.addBulk([...numbered(5, 'small'), ...numbered(3, 'urgent'), ...numbered(4, 'plain')]);

    const { batchWorker, seen, errors } = startWorker(redisUrl, queueName, {
      size: 100,
      timeoutMs: 600_000,
      limitsOf: (key) => (key === 'small' ? { size: 2 } : key === 'urgent' ? { timeoutMs: 300 } : {}),
    });
    await waitFor(async () => (await queue.getCompletedCount()) === 7, { what: 'small and urgent jobs completed' });
    // `plain` has neither its own size nor its own timeout: only close() releases it.
    expect(batchWorker.snapshot).toMatchObject({ openGroups: 2, heldItems: 5 });
    await batchWorker.close();

    expect(seen.map((group) => `${group.key} ${group.trigger} ${group.jobs.length}`).sort()).toEqual([
      'plain shutdown 4',
      'small shutdown 1',
      'small size 2',
      'small size 2',
      'urgent timeout 3',
    ]);
    expect(errors).toEqual([]);
  });

  test('holds more jobs as keys come into use: BullMQ fetches up to one full group of each of twenty keys, and their groups fill', async ({
    redisUrl,
    queueName,
  }) => {
    const queue = openQueue(redisUrl, queueName);
    // Twenty keys taking turns, 50 jobs each: with the starting hold of 10 × (1 + 1) = 20, at
    // most one job of each key, no group could fill.
    const jobs = numbered(1_000).map((job, index) => ({ ...job, name: `key-${index % 20}` }));
    await queue.addBulk(jobs);

    let mostHeld = 0;
    const { batchWorker, seen, errors } = startWorker(redisUrl, queueName, {
      size: 10,
      concurrency: 1,
      timeoutMs: 2_000,
      // Above the default ceiling of 10 × 10 × (1 + 1) = 200: twenty keys need 210.
      maxHeld: 1_000,
      observer: { onSettled: () => (mostHeld = Math.max(mostHeld, batchWorker.worker.concurrency)) },
    });
    await waitFor(async () => (await settledCount(queue)) === 1_000, { what: '1,000 jobs settled' });

    // One full group of each key, and one group of the largest in flight.
    expect(mostHeld).toBe(20 * 10 + 1 * 10);
    const inFullGroups = seen
      .filter((group) => group.trigger === 'size')
      .reduce((sum, group) => sum + group.jobs.length, 0);
    expect(inFullGroups).toBeGreaterThanOrEqual(900);
    expect(seen.every((group) => group.jobs.length <= 10)).toBe(true);
    // Every key out of use again: the hold is back where it started.
    await waitFor(() => batchWorker.worker.concurrency === 20, { what: 'the hold back at 20' });
    expect(errors).toEqual([]);
  });

  test('never holds more than maxHeld: past it, groups leave under pressure', async ({ redisUrl, queueName }) => {
    const queue = openQueue(redisUrl, queueName);
    await queue.addBulk(numbered(1_000).map((job, index) => ({ ...job, name: `key-${index % 20}` })));

    let mostHeld = 0;
    const { batchWorker, seen } = startWorker(redisUrl, queueName, {
      size: 10,
      concurrency: 1,
      timeoutMs: 2_000,
      maxHeld: 50,
      observer: { onSettled: () => (mostHeld = Math.max(mostHeld, batchWorker.worker.concurrency)) },
    });
    await waitFor(async () => (await settledCount(queue)) === 1_000, { what: '1,000 jobs settled' });

    expect(mostHeld).toBe(50);
    expect(new Set(seen.map((group) => group.trigger))).toContain('pressure');
  });

  test('counts the tasks a job carries: parcels of 100 in groups of 100 go one to a group, and BullMQ holds about budget ÷ 100 of them, not 500', async ({
    redisUrl,
    queueName,
  }) => {
    const queue = openQueue(redisUrl, queueName);
    const parcels = (from: number, count: number) =>
      Array.from({ length: count }, (_, index) => ({
        name: 'square',
        data: { n: from + index, tasks: Array.from({ length: 100 }, (_, task) => task) },
      }));
    // The first fetch round takes whatever is waiting, up to the starting budget of 500 jobs:
    // the worker learns the weight of its jobs only as they reach it.
    await queue.addBulk(parcels(1, 10));

    let mostHeld = 0;
    // The budget: 100 × (4 + 1) tasks, and one key of 100 in use never asks for more.
    const budget = 500;
    const { batchWorker, seen, errors } = startWorker(redisUrl, queueName, {
      size: 100,
      // Nothing leaves on a timeout during the test: a group of 100 tasks is full.
      timeoutMs: 600_000,
      weightOf: (job) => job.data.tasks?.length ?? 1,
      observer: { onRelease: () => (mostHeld = Math.max(mostHeld, batchWorker.snapshot.heldItems)) },
    });
    await waitFor(async () => (await queue.getCompletedCount()) === 10, { what: 'the first 10 parcels completed' });
    expect(batchWorker.worker.concurrency).toBeLessThanOrEqual(budget / 100);

    mostHeld = 0;
    await queue.addBulk(parcels(11, 50));
    await waitFor(async () => (await queue.getCompletedCount()) === 60, { what: '60 parcels completed' });

    // Five parcels of 100 at most, where a BullMQ concurrency of 500 would have fetched all 50.
    expect(mostHeld).toBeLessThanOrEqual(budget);
    expect(batchWorker.worker.concurrency).toBeLessThanOrEqual(budget / 100);
    expect(seen).toHaveLength(60);
    expect(new Set(seen.map((group) => `${group.trigger} ${group.jobs.length} ${group.weight}`))).toEqual(
      new Set(['size 1 100']),
    );
    expect(errors).toEqual([]);
  });

  test('fails only the job whose weightOf throws or answers out of range; the others complete', async ({
    redisUrl,
    queueName,
  }) => {
    const queue = openQueue(redisUrl, queueName);
    await queue.addBulk(numbered(4));

    const { seen } = startWorker(redisUrl, queueName, {
      size: 100,
      timeoutMs: 300,
      weightOf: (job) => {
        if (job.data.n === 3) throw new Error('no tasks in this job');
        return job.data.n === 2 ? 0 : 1;
      },
    });
    await waitFor(async () => (await settledCount(queue)) === 4, { what: '4 jobs settled' });

    const failed = await queue.getJobs(['failed'], 0, -1);
    expect(failed.map((job) => [job.data.n, job.failedReason]).sort()).toEqual([
      [2, 'Invalid option "weightOf": expected an integer ≥ 1, received 0'],
      [3, 'no tasks in this job'],
    ]);
    expect(seen.map((group) => group.jobs.map((job) => job.n))).toEqual([[1, 4]]);
    expect(await queue.getCompletedCount()).toBe(2);
  });

  test('takes BullMQ options from workerOptions over its own defaults', async ({ redisUrl, queueName }) => {
    const { batchWorker } = startWorker(redisUrl, queueName, {
      workerOptions: { autorun: false, concurrency: 7, lockDuration: 5_000 },
    });
    expect(batchWorker.worker.concurrency).toBe(7);
    expect(batchWorker.worker.opts.lockDuration).toBe(5_000);
  });
});

describe('createBatchWorker over several queues (the shards of one)', () => {
  test('groups jobs of every queue together, settles each on its own queue, and shares its fetch budget among them', async ({
    redisUrl,
    queueName,
  }) => {
    const names = [0, 1, 2].map((shard) => `{${queueName}-${shard}}`);
    const queues = names.map((name) => openQueue(redisUrl, name));
    // 100 jobs on each shard; groups of 50 may take them from any shard.
    for (const [shard, queue] of queues.entries())
      await queue.addBulk(numbered(100).map((job) => ({ ...job, data: { n: shard * 1_000 + job.data.n } })));
    const seen: SeenGroup[] = [];
    const errors: Error[] = [];
    const many = createBatchWorker<Numbered, number>({
      queueName: names,
      connection: { url: redisUrl },
      size: 50,
      timeoutMs: 500,
      concurrency: 1,
      processGroup: async (group) => {
        seen.push({
          key: group.key,
          trigger: group.trigger,
          weight: group.weight,
          jobs: group.items.map((job) => ({ name: job.queueName, n: job.data.n, attemptsMade: job.attemptsMade })),
        });
        return group.items.map((job) => ({ ok: true, value: job.data.n ** 2 }));
      },
    });
    onTestFinished(() => many.close());
    for (const worker of many.workers) worker.on('error', (error) => errors.push(error));
    expect(many.workers.map((worker) => worker.name)).toEqual(names);
    // The budget of 50 × (1 + 1) jobs is shared: each of the 3 Workers fetches a third of it.
    expect(many.workers.map((worker) => worker.concurrency)).toEqual([34, 34, 34]);
    const settled = async () => (await Promise.all(queues.map(settledCount))).reduce((a, b) => a + b, 0);
    await waitFor(async () => (await settled()) === 300, { what: '300 jobs settled over 3 queues' });

    for (const [shard, queue] of queues.entries()) {
      const completed = await queue.getJobs(['completed'], 0, -1);
      expect(completed).toHaveLength(100);
      for (const job of completed) {
        expect(Math.floor(job.data.n / 1_000)).toBe(shard);
        expect(job.returnvalue).toBe(job.data.n ** 2);
      }
    }
    const grouped = seen.flatMap((group) => group.jobs);
    expect(new Set(grouped.map(({ n }) => n)).size).toBe(300);
    // Some group mixes jobs of several shards: they share one batcher.
    expect(seen.some((group) => new Set(group.jobs.map(({ name }) => name)).size > 1)).toBe(true);
    expect(errors).toEqual([]);
  });
});

describe('createBatchWorker options', () => {
  const base = {
    queueName: 'never-connected',
    // Nothing listens here: a check that failed to throw first would show as a connection error.
    connection: { host: '127.0.0.1', port: 1, lazyConnect: true },
    processGroup: async () => [],
  };

  it.each([
    ['size', { size: 0 }],
    ['timeoutMs', { timeoutMs: -5 }],
    ['concurrency', { concurrency: 1.5 }],
    ['queueName', { queueName: '' }],
    ['queueName', { queueName: [] }],
    ['queueName', { queueName: ['a', 'a'] }],
    ['workerOptions.concurrency', { workerOptions: { concurrency: 0 } }],
    ['maxHeld', { maxHeld: 0 }],
  ] as const)('refuses a bad %s before opening any connection, naming it', (field, overrides) => {
    const create = () => createBatchWorker({ ...base, ...overrides });
    expect(create).toThrow(InvalidOptionError);
    expect(create).toThrow(`"${field}"`);
  });

  it.each(['removeOnComplete', 'removeOnFail'] as const)(
    'refuses workerOptions.%s: true, which BullMQ 6.7.0 cannot complete jobs with',
    (option) => {
      const workerOptions = { [option]: true } as unknown as BatchWorkerOptions<unknown, unknown>['workerOptions'];
      const create = () => createBatchWorker({ ...base, ...(workerOptions ? { workerOptions } : {}) });
      expect(create).toThrow(`"workerOptions.${option}"`);
    },
  );
});
