import { once } from 'node:events';
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { describe, expect } from 'vitest';
import { test as base } from '@sluice/testkit';
import { createDemoCatalog, demoTaskTypes } from './demo-task-types.js';
import { createEnqueuer } from './enqueuer.js';
import { parcelJobIdOf, retryParcelId } from './parcel-id.js';
import { jobOptions } from './queue-contract.js';
import { createTaskQueue, type TaskQueue } from './task-queue.js';

const email = (n: number) => ({ taskType: 'EMAIL', payload: { to: `user${n}@example.com` } });
const sms = (n: number) => ({
  taskType: 'SMS',
  payload: { to: `+1555000${String(n).padStart(4, '0')}`, message: 'hi' },
});
const catalog = createDemoCatalog({ failureRate: 0, workMs: 0 });
// A minute's backoff keeps a retried job delayed for the whole test.
const retry = { maxRetries: 3, backoffDelayMs: 60_000 };

const test = base.extend<{ queue: TaskQueue; worker: Worker }>({
  queue: async ({ redisUrl, queueName }, use) => {
    const connection = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
    await once(connection, 'ready');
    const queue = createTaskQueue(connection, { queueName, retry, catalog, defaultBatchSize: 100 });
    await use(queue);
    await queue.close();
    connection.disconnect();
  },
  /** A BullMQ worker that takes jobs only when asked (getNextJob), as a Sluice worker would. */
  worker: async ({ redisUrl, queueName }, use) => {
    const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
    await once(connection, 'ready');
    const worker = new Worker(queueName, null, { connection, autorun: false });
    await use(worker);
    await worker.close(true);
    connection.disconnect();
  },
});

describe('TaskQueue.findMany', () => {
  test('shows every job as find does, in each state a job can be in, and leaves out ids without one', async ({
    queue,
    worker,
  }) => {
    const [active] = await queue.enqueue([email(0)], Date.now());
    const [retried] = await queue.enqueue([email(1)], Date.now());
    const once1 = { attempts: 1, removeOnComplete: false } as const;
    const failed = (await queue.queues[0]!.add('SMS', { payload: 'lost', submittedAt: Date.now() }, once1)).id ?? '';
    const completed =
      (await queue.queues[0]!.add('PUSH', { payload: 'sent', submittedAt: Date.now() }, once1)).id ?? '';
    const [waiting] = await queue.enqueue([email(2)], Date.now());
    const token = 'test-token';
    const take = () => worker.getNextJob(token);
    expect((await take())?.id).toBe(active);
    await (await take())?.moveToFailed(new Error('try again'), token);
    await (await take())?.moveToFailed(new Error('for good'), token);
    await (await take())?.moveToCompleted('done', token, false);

    const ids = [active, retried, failed, completed, waiting].map((id) => id ?? '');
    const one = await Promise.all(ids.map((id) => queue.find(id)));
    expect(one.map((job) => job?.state)).toEqual(['ACTIVE', 'DELAYED', 'FAILED', 'COMPLETED', 'QUEUED']);
    const many = await queue.findMany([...ids, '0190a5d0-0000-7000-8000-000000000000']);
    expect(many).toEqual(one);
  });

  test('finds tasks inside parcels and alone in one call, each once, with its state and own payload', async ({
    queue,
    worker,
  }) => {
    // 150 EMAIL: parcels of 100 and 50; the one SMS is a job of its own.
    const submissions = [...Array.from({ length: 150 }, (_, n) => email(n)), sms(0)];
    const ids = await queue.enqueue(submissions, Date.now());
    const [alone] = await queue.enqueue([email(999)], Date.now());
    expect(await queue.queues[0]!.getWaitingCount()).toBe(4);
    // A worker takes the first job: the parcel of the first 100 EMAIL tasks.
    expect((await worker.getNextJob('test-token'))?.id).toBe(parcelJobIdOf(ids[0] ?? ''));

    const asked = [ids[0], ids[99], ids[100], ids[149], ids[150], alone, ids[0]].map((id) => id ?? '');
    const found = await queue.findMany([...asked, '0190a5d0-0000-7000-8000-000000000000']);
    expect(found.map((task) => task.id)).toEqual(asked.slice(0, 6));
    expect(found.map((task) => [task.taskType, task.state, task.attempts])).toEqual([
      ['EMAIL', 'ACTIVE', 1],
      ['EMAIL', 'ACTIVE', 1],
      ['EMAIL', 'QUEUED', 0],
      ['EMAIL', 'QUEUED', 0],
      ['SMS', 'QUEUED', 0],
      ['EMAIL', 'QUEUED', 0],
    ]);
    expect(found.map((task) => task.payload)).toEqual([
      email(0).payload,
      email(99).payload,
      email(100).payload,
      email(149).payload,
      sms(0).payload,
      email(999).payload,
    ]);
    expect(await queue.find(ids[149] ?? '')).toEqual(found[3]);
  });

  test('shows a task gone on in a retry parcel with the attempts it spent and its last error', async ({ queue }) => {
    const submittedAt = Date.now();
    const [first, second, third] = await queue.enqueue([email(0), email(1), email(2)], submittedAt);
    if (first === undefined || second === undefined || third === undefined) throw new Error('three ids expected');
    // As a worker leaves it: the parcel done with, its second task going on to attempt 2.
    await queue.queues[0]!.remove(parcelJobIdOf(first));
    await queue.queues[0]!.add(
      'EMAIL',
      { submittedAt, attempt: 2, tasks: [{ id: second, payload: email(1).payload, error: 'provider said 503' }] },
      { ...jobOptions(retry), jobId: retryParcelId(parcelJobIdOf(second), 2), delay: 60_000 },
    );

    const found = await queue.findMany([first, second, third]);
    expect(found).toEqual([
      {
        id: second,
        taskType: 'EMAIL',
        state: 'DELAYED',
        attempts: 1,
        error: 'provider said 503',
        submittedAt: new Date(submittedAt),
        payload: email(1).payload,
      },
    ]);
    expect(await queue.find(second)).toEqual(found[0]);

    // Attempt 2's parcel adds attempt 3's just before it completes: the later attempt shows.
    await queue.queues[0]!.add(
      'EMAIL',
      { submittedAt, attempt: 3, tasks: [{ id: second, payload: email(1).payload, error: 'provider said 429' }] },
      { ...jobOptions(retry), jobId: retryParcelId(parcelJobIdOf(second), 3) },
    );
    expect(await queue.find(second)).toMatchObject({ state: 'QUEUED', attempts: 2, error: 'provider said 429' });
  });
});

describe('what a TaskQueue leaves in Redis', () => {
  /** Takes every waiting job and fails it for good (the queue below allows one attempt). */
  const failAll = async (worker: Worker): Promise<void> => {
    for (let job = await worker.getNextJob('token'); job !== undefined; job = await worker.getNextJob('token')) {
      await job.moveToFailed(new Error('for good'), 'token');
    }
  };
  const once = { maxRetries: 0, backoffDelayMs: 0 };

  /** A TaskQueue over the test's queue with these settings, and its connection; closed after `use`. */
  const withQueue = async (
    redisUrl: string,
    settings: Omit<Parameters<typeof createTaskQueue>[1], 'catalog' | 'defaultBatchSize'>,
    use: (queue: TaskQueue, connection: Redis) => Promise<void>,
  ): Promise<void> => {
    const connection = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
    const queue = createTaskQueue(connection, { catalog, defaultBatchSize: 100, ...settings });
    try {
      await use(queue, connection);
    } finally {
      await queue.close();
      connection.disconnect();
    }
  };

  test('keeps at most FAILED_JOBS_MAX failed jobs, the newest', ({ redisUrl, queueName, worker }) =>
    withQueue(
      redisUrl,
      { queueName, retry: once, failedJobs: { maxAgeSeconds: 3_600, maxCount: 3 } },
      async (queue) => {
        const ids: string[] = [];
        for (let n = 0; n < 8; n += 1) {
          ids.push(...(await queue.enqueue([email(n)], Date.now())));
          await failAll(worker);
        }
        const kept = await queue.queues[0]!.getFailed(0, -1);
        expect(kept.map((job) => job.id).sort()).toEqual(ids.slice(-3).sort());
      },
    ));

  test('drops failed jobs older than FAILED_JOBS_RETENTION as later ones fail', ({ redisUrl, queueName, worker }) =>
    withQueue(
      redisUrl,
      { queueName, retry: once, failedJobs: { maxAgeSeconds: 1, maxCount: 1_000 } },
      async (queue) => {
        await queue.enqueue([email(0), sms(0)], Date.now());
        await failAll(worker);
        expect(await queue.queues[0]!.getFailedCount()).toBe(2);
        // BullMQ trims by age when a job fails: once the first two are over a second old, the
        // next failure removes them.
        await new Promise((resolve) => setTimeout(resolve, 2_100));
        const [late] = await queue.enqueue([email(1)], Date.now());
        await failAll(worker);
        expect((await queue.queues[0]!.getFailed(0, -1)).map((job) => job.id)).toEqual([late]);
      },
    ));

  test('bounds the events stream at EVENTS_MAX_LEN, which an enqueuer leaves as the api set it', ({
    redisUrl,
    queueName,
  }) =>
    withQueue(redisUrl, { queueName, retry, eventsMaxLen: 200 }, async (queue, connection) => {
      const taskTypes = demoTaskTypes({ failureRate: 0, workMs: 0 });
      const enqueuer = createEnqueuer({ redis: connection, taskTypes, queueName });
      try {
        for (let n = 0; n < 2_000; n += 1) await enqueuer.submit('SMS', `message ${n}`);
        expect(await connection.hget(queue.queues[0]!.toKey('meta'), 'opts.maxLenEvents')).toBe('200');
        // Trimmed with MAXLEN ~, which removes whole stream nodes (100 entries each): about 200.
        expect(await connection.xlen(queue.queues[0]!.toKey('events'))).toBeLessThanOrEqual(300);
        expect(await queue.queues[0]!.count()).toBe(2_000);
      } finally {
        await enqueuer.close();
      }
    }));
});
