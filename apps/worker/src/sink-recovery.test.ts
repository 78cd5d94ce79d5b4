import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { createOutsideProject, waitFor, type NodeProcess, type OutsideProject } from '@sluice/testkit';
import { type Harness, pendingJobs, RETRY, test } from './test-processes.js';
import { submitTasks } from './test-tasks.js';

/*
 * A sink's rows are written in the statement that commits the task rows, and only for the task
 * rows it newly writes. These specs hold that to what a user sees in their own table, with the
 * real worker process SIGKILLed: between its commit and its acknowledgement, and at random
 * points while a queue drains.
 */

/** What each task of TALLY does, by its number: the spec knows every task's outcome in advance. */
type Fate = 'complete' | 'pair' | 'flaky' | 'fail';
const FATES: Readonly<Record<number, Fate>> = { 3: 'fail', 4: 'flaky', 5: 'pair' };
const fateOf = (n: number): Fate => FATES[n % 10] ?? 'complete';

/**
 * A user's task module: TALLY writes a `sink_rows` row for each completed task, carrying the
 * task's number as the handler's result gives it; a `pair` writes two, its number and the next.
 * A `fail` task fails for good, a `flaky` one fails its first attempt and comes back. Each group
 * takes 200 ms, as a handler calling a remote service does: the queue then drains over several
 * kills, however fast the machine.
 */
const TALLY_MODULE = `import { defineTaskType } from '@sluice/tasks';
import { z } from 'zod';

export const taskTypes = [
  defineTaskType({
    name: 'TALLY',
    payload: z.object({ n: z.number().int(), fate: z.enum(['complete', 'pair', 'flaky', 'fail']) }),
    sink: {
      table: 'sink_rows',
      rows: (task, result) =>
        task.payload.fate === 'pair'
          ? [{ task_id: task.id, n: result.n }, { task_id: task.id, n: result.n + 1 }]
          : [{ task_id: task.id, n: result.n }],
    },
    handle: async (tasks) => {
      await new Promise((resolve) => setTimeout(resolve, 200));
      return tasks.map((task) => {
        if (task.payload.fate === 'fail') return { ok: false, error: 'refused for good', retry: false };
        if (task.payload.fate === 'flaky' && task.attempt === 1) return { ok: false, error: 'try again', retry: true };
        return { ok: true, result: { n: task.payload.n } };
      });
    },
  }),
];
`;

let project: OutsideProject;
beforeAll(async () => {
  project = await createOutsideProject({
    packages: ['@sluice/tasks', 'zod'],
    from: import.meta.url,
    files: { 'tasks.mjs': TALLY_MODULE },
  });
});
afterAll(() => project.remove());

/** The worker settings of both specs: the TALLY module instead of the demo types. */
const tallyWorker = (harness: Harness, env: Readonly<Record<string, string>> = {}): Promise<NodeProcess> =>
  harness.startWorker({ SLUICE_TASKS: project.path('tasks.mjs'), ...env });

/** The user's table, as their migration would make it: no primary key, no unique key, nothing to dedupe on. */
const createSinkTable = (harness: Harness) =>
  sql`CREATE TABLE sink_rows (task_id text, n integer, written_at timestamptz NOT NULL DEFAULT now())`.execute(
    harness.db,
  );

interface Submitted {
  readonly id: string;
  readonly n: number;
  readonly fate: Fate;
}

const submitTallies = async (harness: Harness, count: number): Promise<ReadonlyArray<Submitted>> => {
  const tasks = Array.from({ length: count }, (_, n) => ({ taskType: 'TALLY', payload: { n, fate: fateOf(n) } }));
  const ids = await submitTasks(harness.queue, tasks, RETRY);
  return ids.map((id, n) => ({ id, n, fate: fateOf(n) }));
};

/** The numbers of the sink rows a task must have once its row is committed (none when it failed). */
const expectedSinkRows = ({ n, fate }: Submitted): ReadonlyArray<number> =>
  fate === 'fail' ? [] : fate === 'pair' ? [n, n + 1] : [n];

/**
 * Every task of `tasks` whose rows in `sink_rows` differ from what it must have, and every row of
 * a task not in `tasks`: empty when each has its rows exactly once.
 */
const sinkMisfits = async (harness: Harness, tasks: ReadonlyArray<Submitted>) => {
  const { rows } = await sql<{ task_id: string; ns: number[] }>`
    SELECT task_id, array_agg(n ORDER BY n) AS ns FROM sink_rows GROUP BY task_id
  `.execute(harness.db);
  const found = new Map(rows.map((row) => [row.task_id, row.ns]));
  const misfits = tasks.flatMap((task) => {
    const expected = expectedSinkRows(task);
    const actual = found.get(task.id) ?? [];
    found.delete(task.id);
    return JSON.stringify(actual) === JSON.stringify(expected) ? [] : [{ ...task, expected, actual }];
  });
  return [...misfits, ...[...found].map(([id, actual]) => ({ id, fate: 'not one of these tasks', actual }))];
};

/** Every task of `tasks` whose row is not what its fate says: a missing row counts. */
const taskRowMisfits = async (harness: Harness, tasks: ReadonlyArray<Submitted>) => {
  const rows = await harness.db.selectFrom('tasks').select(['id', 'status', 'attempts']).execute();
  const found = new Map(rows.map((row) => [row.id, row]));
  return tasks.flatMap((task) => {
    const row = found.get(task.id);
    const status = task.fate === 'fail' ? 'FAILED' : 'COMPLETED';
    const attempts = task.fate === 'flaky' ? 2 : 1;
    return row?.status === status && row.attempts === attempts ? [] : [{ ...task, status, attempts, row }];
  });
};

describe('sink rows under worker SIGKILLs', () => {
  test('a crash between commit and acknowledgement: the re-run group writes no sink row again, and a FAILED task has none', async ({
    harness,
  }) => {
    await createSinkTable(harness);
    const crashing = await tallyWorker(harness, { FAULT_INJECTION: 'crash-after-commit' });
    const tasks = await submitTallies(harness, 20);
    expect((await crashing.exited).signal).toBe('SIGKILL');
    // The crashed worker's commit wrote task rows and their sink rows, and acknowledged none of its jobs.
    const committedFirst = await harness.db.selectFrom('tasks').select('id').execute();
    expect(committedFirst.length).toBeGreaterThan(0);
    const firstIds = new Set(committedFirst.map((row) => row.id));
    const committedTasks = tasks.filter((task) => firstIds.has(task.id));
    expect(await sinkMisfits(harness, committedTasks)).toEqual([]);
    expect(await harness.queue.getActiveCount()).toBe(20);

    const second = await tallyWorker(harness);
    await waitFor(async () => (await pendingJobs(harness.queue)) === 0, {
      what: 'the 20 jobs acknowledged by the second worker',
    });

    expect(await sinkMisfits(harness, tasks)).toEqual([]);
    expect(await taskRowMisfits(harness, tasks)).toEqual([]);
    // Every task the crashed worker committed came back to the second one, which found its row.
    expect(harness.commits(second).reduce((sum, commit) => sum + commit.duplicates, 0)).toBe(firstIds.size);
    expect(await harness.queue.getFailedCount()).toBe(tasks.filter((task) => task.fate === 'fail').length);
  });

  test('two workers SIGKILLed in turn every 700 ms, the first right after its first commit, while 4,000 tasks drain: each completed task has its sink rows once, a failed one none', async ({
    harness,
  }) => {
    await createSinkTable(harness);
    const env = {
      BATCH_SIZE: '50',
      // A job held by a killed worker counts a stall; BullMQ fails it for good, with no row, after
      // MAX_STALLED_COUNT of them. Here a job may be held by several of the workers killed, and
      // every task must end with a row, so none is failed that way.
      MAX_STALLED_COUNT: '1000',
    };
    const workers = [
      await tallyWorker(harness, { ...env, FAULT_INJECTION: 'crash-after-commit' }),
      await tallyWorker(harness, env),
    ];
    const tasks = await submitTallies(harness, 4_000);
    // Random kills land between a commit and its acknowledgement only now and then: the first
    // worker surely does, under load, so its group comes back to a worker that finds its rows.
    expect((await workers[0]?.exited)?.signal).toBe('SIGKILL');
    workers[0] = await tallyWorker(harness, env);

    let kills = 0;
    // At most 25 kills, so the queue drains even on a machine where a restart takes longer than
    // the workers need to make progress between kills.
    while (kills < 25) {
      await new Promise((resolve) => setTimeout(resolve, 700));
      if ((await pendingJobs(harness.queue)) === 0) break;
      // Each in turn, so that each lives through two intervals and commits between its kills.
      const slot = kills % workers.length;
      workers[slot]?.kill('SIGKILL');
      await workers[slot]?.exited;
      kills += 1;
      workers[slot] = await tallyWorker(harness, env);
    }
    await waitFor(async () => (await pendingJobs(harness.queue)) === 0, {
      what: 'every job acknowledged',
      timeoutMs: 120_000,
    });

    // 88 groups at least, eight at a time, 200 ms each: the queue cannot drain before the first kill.
    expect(kills).toBeGreaterThan(0);
    // Every task the first worker committed ran again, and that run found its row. (A commit sent
    // just before the first worker's end may land too: it may have more than one batch.)
    const { rows } = await sql<{ committedFirst: number; duplicates: number }>`
      SELECT sum(completed + failed) FILTER (WHERE worker_id = 'worker-1')::int AS "committedFirst",
             sum(duplicates)::int AS duplicates
      FROM batches
    `.execute(harness.db);
    const { committedFirst, duplicates } = rows[0]!;
    expect(committedFirst).toBeGreaterThan(0);
    expect(duplicates).toBeGreaterThanOrEqual(committedFirst);
    expect(await sinkMisfits(harness, tasks)).toEqual([]);
    expect(await taskRowMisfits(harness, tasks)).toEqual([]);
    expect(await harness.db.selectFrom('tasks').select('id').execute()).toHaveLength(tasks.length);
    expect(await harness.queue.getFailedCount()).toBe(tasks.filter((task) => task.fate === 'fail').length);
  });
});
