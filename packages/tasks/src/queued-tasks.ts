import type { ChainableCommander } from 'ioredis';
import type { RedisClient } from './redis-client.js';
import { parcelJobIdOf, retryParcelId } from './parcel-id.js';

/** How BullMQ sees a task that is not committed yet. */
export interface QueuedTask {
  readonly id: string;
  readonly taskType: string;
  readonly state: 'QUEUED' | 'ACTIVE' | 'DELAYED' | 'COMPLETED' | 'FAILED';
  readonly attempts: number;
  readonly error: string | null;
  readonly submittedAt: Date;
  readonly payload: unknown;
}

/** Where the jobs live: BullMQ's `queue.toKey`, which prefixes a name with the queue's. */
export interface QueueKeys {
  toKey(name: string): string;
}

/** Runs a pipeline; the first command that failed fails it all. */
export const execPipeline = async (pipeline: ChainableCommander): Promise<ReadonlyArray<unknown>> => {
  const results = (await pipeline.exec()) ?? [];
  return results.map(([error, value]) => {
    if (error) throw error;
    return value;
  });
};

/** The fields of a job's hash that show its tasks, in the order HMGET answers them. */
const FIELDS = ['name', 'data', 'atm', 'failedReason', 'processedOn'] as const;

/** One task as its job holds it. */
interface HeldTask {
  readonly payload: unknown;
  readonly error?: unknown;
}

/** A job read from its hash: its own fields, and its tasks by id. */
interface StoredJob {
  readonly id: string;
  readonly name: string;
  /** The attempt its tasks were on when it first ran: a retry parcel's `attempt`, else 1. */
  readonly firstAttempt: number;
  readonly attemptsMade: number;
  readonly failedReason: string | null;
  readonly processed: boolean;
  readonly submittedAt: number;
  readonly tasks: ReadonlyMap<string, HeldTask>;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * A job's hash as HMGET of FIELDS answered it, or undefined when it holds no job. A parcel's
 * tasks are those of its `tasks` list; any other job holds one task, under the job's own id.
 */
const storedJob = (id: string, fields: unknown): StoredJob | undefined => {
  if (!Array.isArray(fields) || typeof fields[0] !== 'string') return undefined;
  const [name, text, attemptsMade, failedReason, processedOn] = fields as ReadonlyArray<string | null>;
  const data: unknown = JSON.parse(text ?? '{}');
  const record = isRecord(data) ? data : {};
  const tasks = new Map<string, HeldTask>();
  if (Array.isArray(record.tasks)) {
    for (const task of record.tasks) {
      if (isRecord(task) && typeof task.id === 'string')
        tasks.set(task.id, { payload: task.payload, error: task.error });
    }
  } else {
    tasks.set(id, { payload: record.payload });
  }
  return {
    id,
    name: name ?? '',
    firstAttempt: typeof record.attempt === 'number' ? record.attempt : 1,
    attemptsMade: Number(attemptsMade ?? 0),
    failedReason: failedReason ? failedReason : null,
    processed: Boolean(processedOn),
    submittedAt: typeof record.submittedAt === 'number' ? record.submittedAt : 0,
    tasks,
  };
};

/**
 * The parcels task `id` may be in. An unkeyed bulk request's parcels have UUIDv7 ids numbered
 * from 0 each; a keyed one's have version 8 ids numbered across a class of its type, cut at the
 * type's batch size, so one candidate per size in use (see keyed-parcels.ts). Any
 * other id (a keyed single task's v8 id among them) can only be its own job: the candidates made
 * for it hold nothing, and cost a read each.
 */
const parcelsOf = (id: string, parcelSizes: ReadonlyArray<number>): ReadonlyArray<string> => {
  if (id[14] === '7') return [parcelJobIdOf(id)];
  if (id[14] === '8') return parcelSizes.map((size) => parcelJobIdOf(id, size));
  return [];
};

/** The jobs task `id` may be in before any retry: its own, and the parcels its id points to. */
const firstCandidates = (id: string, parcelSizes: ReadonlyArray<number>): ReadonlyArray<string> => [
  ...new Set([id, ...parcelsOf(id, parcelSizes)]),
];

/** The retry parcels task `id` may have gone on in: one per parcel and attempt after the first. */
const retryCandidates = (id: string, maxRetries: number, parcelSizes: ReadonlyArray<number>): ReadonlyArray<string> =>
  parcelsOf(id, parcelSizes).flatMap((parcel) =>
    Array.from({ length: maxRetries }, (_, n) => retryParcelId(parcel, n + 2)),
  );

interface Holding {
  readonly job: StoredJob;
  readonly task: HeldTask;
}

type JobState = QueuedTask['state'];

/**
 * The state of each job. BullMQ's getState walks the waiting list (LPOS) for a waiting job: one
 * look is O(waiting), and a 10,000-task replay made it quadratic. Here only the sets a job can be
 * in apart from waiting are asked, each O(1) or O(log n): the sorted sets by score, and the short
 * active list only for a job that has been processed. Whatever is in none of them is waiting (or
 * prioritized, paused, waiting for children): QUEUED.
 */
const statesOf = async (
  redis: RedisClient,
  keys: QueueKeys,
  jobs: ReadonlyArray<StoredJob>,
): Promise<ReadonlyMap<string, JobState>> => {
  const [completedKey, failedKey, delayedKey, activeKey] = ['completed', 'failed', 'delayed', 'active'].map((set) =>
    keys.toKey(set),
  ) as [string, string, string, string];
  const ask = redis.pipeline();
  for (const { id, processed } of jobs) {
    ask.zscore(completedKey, id);
    ask.zscore(failedKey, id);
    ask.zscore(delayedKey, id);
    // Never processed, so never active: keeps the list walk to jobs that have started.
    if (processed) ask.lpos(activeKey, id);
    else ask.echo('');
  }
  const places = await execPipeline(ask);
  return new Map(
    jobs.map(({ id }, index): [string, JobState] => {
      const [completed, failed, delayed, active] = places.slice(index * 4, index * 4 + 4);
      const state: JobState =
        completed !== null
          ? 'COMPLETED'
          : failed !== null
            ? 'FAILED'
            : delayed !== null
              ? 'DELAYED'
              : typeof active === 'number'
                ? 'ACTIVE'
                : 'QUEUED';
      return [id, state];
    }),
  );
};

/**
 * The tasks among `ids` that BullMQ holds, alone or in a parcel, each once, in the order of
 * `ids`; an id no job holds is absent.
 *
 * Pipelined whatever the count, with no scan of the waiting list and no index in Redis: a task's
 * id leads to the jobs it can be in (parcel-id.ts). First its own job and the
 * parcels its id points to are read; for an id found in none, the retry parcels that could
 * have taken it on (attempts 2 … maxRetries + 1) in a second round trip; then the state of each
 * job that holds one. Each job is read once however many of `ids` it holds. Where several hold a
 * task (a worker adds a retry parcel just before the parcel it leaves completes), the one of the
 * highest attempt shows it.
 *
 * @example
 * const tasks = await findQueuedTasks(redis, queue, ids, 3);
 */
export const findQueuedTasks = async (
  redis: RedisClient,
  keys: QueueKeys,
  ids: ReadonlyArray<string>,
  maxRetries: number,
  /** The sizes keyed requests' classes are cut at (each task type's parcel size). */
  parcelSizes: ReadonlyArray<number> = [],
): Promise<ReadonlyArray<QueuedTask>> => {
  const jobs = new Map<string, StoredJob | undefined>();
  const read = async (jobIds: ReadonlyArray<string>): Promise<void> => {
    const unread = [...new Set(jobIds)].filter((id) => !jobs.has(id));
    if (unread.length === 0) return;
    const pipeline = redis.pipeline();
    for (const id of unread) pipeline.hmget(keys.toKey(id), ...FIELDS);
    const hashes = await execPipeline(pipeline);
    unread.forEach((id, index) => {
      jobs.set(id, storedJob(id, hashes[index]));
    });
  };
  const holding = (id: string, candidates: ReadonlyArray<string>): Holding | undefined => {
    let best: Holding | undefined;
    for (const candidate of candidates) {
      const job = jobs.get(candidate);
      const task = job?.tasks.get(id);
      if (job !== undefined && task !== undefined && (best === undefined || job.firstAttempt > best.job.firstAttempt))
        best = { job, task };
    }
    return best;
  };

  const unique = [...new Set(ids)];
  await read(unique.flatMap((id) => firstCandidates(id, parcelSizes)));
  const found = new Map<string, Holding>();
  const retried: string[] = [];
  for (const id of unique) {
    const held = holding(id, firstCandidates(id, parcelSizes));
    if (held !== undefined) found.set(id, held);
    else if (parcelsOf(id, parcelSizes).length > 0 && maxRetries > 0) retried.push(id);
  }
  if (retried.length > 0) {
    await read(retried.flatMap((id) => retryCandidates(id, maxRetries, parcelSizes)));
    for (const id of retried) {
      const held = holding(id, retryCandidates(id, maxRetries, parcelSizes));
      if (held !== undefined) found.set(id, held);
    }
  }
  if (found.size === 0) return [];

  const states = await statesOf(redis, keys, [...new Set([...found.values()].map(({ job }) => job))]);
  return unique.flatMap((id): QueuedTask[] => {
    const held = found.get(id);
    if (held === undefined) return [];
    const { job, task } = held;
    const state = states.get(job.id) ?? 'QUEUED';
    // A retry parcel's tasks have spent the attempts before its first; BullMQ counts its own.
    const spent = job.firstAttempt - 1 + job.attemptsMade;
    return [
      {
        id,
        taskType: job.name,
        state,
        attempts: state === 'ACTIVE' ? spent + 1 : spent,
        // The job's own failure says why it stopped; a task's error says why its last attempt failed.
        error: job.failedReason ?? (typeof task.error === 'string' ? task.error : null),
        submittedAt: new Date(job.submittedAt),
        payload: task.payload,
      },
    ];
  });
};
