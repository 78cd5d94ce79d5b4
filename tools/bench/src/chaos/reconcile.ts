/**
 * The chaos run's verdict, task by task: what the api promised (202 answers) against where the
 * tasks ended (PostgreSQL rows, BullMQ's failed set, or neither). Pure: the shell gathers the
 * evidence, this decides.
 *
 * What each figure means:
 *
 * - accepted: ids the api answered 202 for.
 * - committed: accepted ids with a row in `tasks` (COMPLETED or FAILED).
 * - failed: accepted ids without a row but in BullMQ's failed set.
 * - pending: accepted ids in neither, whose job is still waiting, active or delayed: only when
 *   the drain gave up before the queue was empty. Not lost, not done.
 * - lost: accepted ids in neither, whose job is gone or says it completed.
 * - duplicated: an outcome more than the one a task may have: a second row or failed job for the
 *   same ref under another id, or an id committed as COMPLETED and also in the failed set. (A
 *   FAILED row plus a failed-set entry is the designed end of a final failure, not a duplicate.)
 * - unexpected: rows and failed jobs whose ref was never answered 202 and whose request did not
 *   end without an answer, or a row whose id was answered for another ref.
 * - indeterminate: refs whose request got no answer (time-out, reset): they may or may not have
 *   been enqueued, so each is looked up by ref and reported, never counted lost.
 */

export interface AcceptedTask {
  readonly ref: string;
  readonly id: string;
}

export interface CommittedRow {
  readonly id: string;
  /** `payload->>'ref'`; null when the payload carries none. */
  readonly ref: string | null;
  readonly status: 'COMPLETED' | 'FAILED';
  readonly error: string | null;
  readonly attempts: number;
  readonly batchId: string;
}

export interface FailedJob {
  readonly id: string;
  readonly ref: string | null;
  readonly reason: string;
  readonly attemptsMade: number;
}

/** What BullMQ says about one job after the drain. */
export interface JobSnapshot {
  /** `waiting`, `active`, `delayed`, `prioritized`, `completed`, `failed`, … or `missing` when there is no such job. */
  readonly state: string;
  readonly attemptsMade?: number;
  readonly failedReason?: string;
  readonly stalledCounter?: number;
}

export interface ReconcileInput {
  readonly accepted: ReadonlyArray<AcceptedTask>;
  /** Refs whose (last) request got no answer. */
  readonly indeterminate: ReadonlyArray<string>;
  readonly rows: ReadonlyArray<CommittedRow>;
  readonly failedJobs: ReadonlyArray<FailedJob>;
  /** BullMQ's view of jobs, looked up after the drain: at least every id of {@link unresolvedIds}. */
  readonly jobStates: ReadonlyMap<string, JobSnapshot>;
  /** Refs the client sent more than once, with the answers that made it send again. Evidence only. */
  readonly resent?: ReadonlyMap<string, ReadonlyArray<string>>;
}

/** Where one id was seen. */
export interface Sighting {
  readonly id: string;
  /** The ref the api answered this id for, if it did. */
  readonly acceptedFor?: string;
  readonly row?: Pick<CommittedRow, 'status' | 'error' | 'attempts' | 'batchId' | 'ref'>;
  readonly failed?: Pick<FailedJob, 'reason' | 'attemptsMade'>;
  readonly job?: JobSnapshot;
}

export type OffenceKind = 'lost' | 'duplicated' | 'unexpected' | 'pending';

/** A task that breaks the promise, with everything seen of it. */
export interface Offender {
  readonly kind: OffenceKind;
  readonly ref: string | null;
  readonly why: string;
  readonly sightings: ReadonlyArray<Sighting>;
  /** Answers to earlier sends of this ref that made the client send it again (a 503 that had in fact enqueued shows here). */
  readonly earlierAnswers?: ReadonlyArray<string>;
}

export interface ReconcileCounts {
  readonly accepted: number;
  readonly committed: number;
  readonly committedCompleted: number;
  readonly committedFailed: number;
  readonly failed: number;
  readonly pending: number;
  readonly lost: number;
  readonly duplicated: number;
  readonly unexpected: number;
  readonly indeterminate: number;
  readonly indeterminateCommitted: number;
  readonly indeterminateFailed: number;
  readonly indeterminateNowhere: number;
}

export interface Reconciliation {
  readonly counts: ReconcileCounts;
  /** Failed-set reasons of the `failed` tasks, most frequent first. */
  readonly failedReasons: ReadonlyArray<{ readonly reason: string; readonly count: number }>;
  /** Every offender, lost first, then duplicated, unexpected, pending. */
  readonly offenders: ReadonlyArray<Offender>;
}

/** Job states in which a job will still run: it is not lost, the drain just was not over. */
const LIVE_STATES: ReadonlySet<string> = new Set(['waiting', 'active', 'delayed', 'prioritized', 'waiting-children']);

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/** Reasons that differ only by the task id in them belong to one group. */
export const reasonGroup = (reason: string): string => {
  const text = reason.replace(UUID, '<id>').trim() || '(no reason given)';
  return text.length > 300 ? `${text.slice(0, 299)}…` : text;
};

const groupBy = <T>(items: ReadonlyArray<T>, key: (item: T) => string | null): Map<string, T[]> => {
  const map = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    if (k === null) continue;
    const list = map.get(k);
    if (list) list.push(item);
    else map.set(k, [item]);
  }
  return map;
};

/**
 * Accepted ids with neither a row nor a failed-set entry: the ones whose BullMQ state the shell
 * must look up before {@link reconcile} can tell pending from lost.
 */
export const unresolvedIds = (
  input: Pick<ReconcileInput, 'accepted' | 'rows' | 'failedJobs'>,
): ReadonlyArray<string> => {
  const done = new Set<string>();
  for (const row of input.rows) done.add(row.id);
  for (const job of input.failedJobs) done.add(job.id);
  return input.accepted.filter((task) => !done.has(task.id)).map((task) => task.id);
};

/**
 * Classifies every task of a chaos run. See the header of this file for what each count means.
 *
 * @example
 * const verdict = reconcile({ accepted, indeterminate, rows, failedJobs, jobStates });
 * verdict.counts.lost; // 0, or the run failed
 */
export const reconcile = (input: ReconcileInput): Reconciliation => {
  const acceptedById = new Map<string, string>();
  const acceptedIdOfRef = new Map<string, string>();
  const offenders: Offender[] = [];
  let duplicated = 0;
  let unexpected = 0;

  const rowById = new Map(input.rows.map((row) => [row.id, row] as const));
  const failedById = new Map(input.failedJobs.map((job) => [job.id, job] as const));
  const rowsByRef = groupBy(input.rows, (row) => row.ref);
  const failedByRef = groupBy(input.failedJobs, (job) => job.ref);
  const indeterminate = new Set(input.indeterminate);

  const sight = (id: string): Sighting => {
    const row = rowById.get(id);
    const failed = failedById.get(id);
    const job = input.jobStates.get(id);
    const acceptedFor = acceptedById.get(id);
    return {
      id,
      ...(acceptedFor === undefined ? {} : { acceptedFor }),
      ...(row === undefined
        ? {}
        : {
            row: { status: row.status, error: row.error, attempts: row.attempts, batchId: row.batchId, ref: row.ref },
          }),
      ...(failed === undefined ? {} : { failed: { reason: failed.reason, attemptsMade: failed.attemptsMade } }),
      ...(job === undefined ? {} : { job }),
    };
  };
  /** Every id carrying `ref`, in rows, in the failed set, or answered for it. */
  const idsOfRef = (ref: string, extra: ReadonlyArray<string> = []): ReadonlyArray<string> => [
    ...new Set([
      ...extra,
      ...(rowsByRef.get(ref) ?? []).map((row) => row.id),
      ...(failedByRef.get(ref) ?? []).map((job) => job.id),
    ]),
  ];

  for (const task of input.accepted) {
    const earlier = acceptedById.get(task.id);
    if (earlier !== undefined && earlier !== task.ref) {
      duplicated += 1;
      offenders.push({
        kind: 'duplicated',
        ref: task.ref,
        why: `the api answered id ${task.id} for two refs (${earlier} and ${task.ref})`,
        sightings: [sight(task.id)],
      });
      continue;
    }
    acceptedById.set(task.id, task.ref);
    acceptedIdOfRef.set(task.ref, task.id);
  }

  let committed = 0;
  let committedCompleted = 0;
  let committedFailed = 0;
  let failed = 0;
  let pending = 0;
  let lost = 0;
  const reasons = new Map<string, number>();
  const lostOffenders: Offender[] = [];
  const pendingOffenders: Offender[] = [];

  for (const [id, ref] of acceptedById) {
    const row = rowById.get(id);
    const failedJob = failedById.get(id);
    if (row !== undefined) {
      committed += 1;
      if (row.status === 'COMPLETED') committedCompleted += 1;
      else committedFailed += 1;
      if (row.ref !== ref) {
        unexpected += 1;
        offenders.push({
          kind: 'unexpected',
          ref,
          why: `the row of id ${id} carries ref ${row.ref ?? '(none)'}, but the api answered this id for ${ref}`,
          sightings: [sight(id)],
        });
      }
      if (failedJob !== undefined && row.status === 'COMPLETED') {
        duplicated += 1;
        offenders.push({
          kind: 'duplicated',
          ref,
          why: 'committed as COMPLETED and also in the failed set: two outcomes for one task',
          sightings: [sight(id)],
        });
      }
      continue;
    }
    if (failedJob !== undefined) {
      failed += 1;
      const group = reasonGroup(failedJob.reason);
      reasons.set(group, (reasons.get(group) ?? 0) + 1);
      continue;
    }
    const job = input.jobStates.get(id);
    const others = idsOfRef(ref).filter((other) => other !== id);
    const sightings = [sight(id), ...others.map(sight)];
    if (job !== undefined && LIVE_STATES.has(job.state)) {
      pending += 1;
      pendingOffenders.push({
        kind: 'pending',
        ref,
        why: `still ${job.state} in BullMQ when the drain gave up`,
        sightings,
      });
    } else {
      lost += 1;
      const state = job === undefined ? 'not looked up' : job.state;
      const elsewhere = others.length > 0 ? `; the same ref is on other ids: ${others.join(', ')}` : '';
      lostOffenders.push({
        kind: 'lost',
        ref,
        why: `accepted, but no row and not in the failed set; BullMQ job: ${state}${elsewhere}`,
        sightings,
      });
    }
  }

  // Two outcomes for one ref: the api enqueued the same submission twice (a 503 or a reset that
  // had in fact enqueued, then our re-send), or a worker wrote a task under a second id.
  const refs = new Set([...rowsByRef.keys(), ...failedByRef.keys()]);
  for (const ref of refs) {
    const ids = idsOfRef(ref);
    if (ids.length < 2) continue;
    duplicated += ids.length - 1;
    offenders.push({
      kind: 'duplicated',
      ref,
      why: `${ids.length} tasks (distinct ids) ended for this one ref`,
      sightings: idsOfRef(
        ref,
        [acceptedIdOfRef.get(ref)].filter((id) => id !== undefined),
      ).map(sight),
    });
  }

  // Outcomes nobody was promised. A FAILED row and its failed-set entry are one task, counted once.
  const unpromised = (ref: string | null): boolean =>
    ref === null || (!acceptedIdOfRef.has(ref) && !indeterminate.has(ref));
  const seenUnexpected = new Set<string>();
  for (const item of [...input.rows, ...input.failedJobs]) {
    if (!unpromised(item.ref) || acceptedById.has(item.id) || seenUnexpected.has(item.id)) continue;
    seenUnexpected.add(item.id);
    unexpected += 1;
    offenders.push({
      kind: 'unexpected',
      ref: item.ref,
      why:
        item.ref === null
          ? 'a task without a chaos ref: nothing of this run submitted it'
          : 'this ref was never answered 202 and its request did not go unanswered',
      sightings: [sight(item.id)],
    });
  }

  let indeterminateCommitted = 0;
  let indeterminateFailed = 0;
  let indeterminateNowhere = 0;
  let indeterminateCount = 0;
  for (const ref of indeterminate) {
    if (acceptedIdOfRef.has(ref)) continue;
    indeterminateCount += 1;
    if (rowsByRef.has(ref)) indeterminateCommitted += 1;
    else if (failedByRef.has(ref)) indeterminateFailed += 1;
    else indeterminateNowhere += 1;
  }

  const order: Readonly<Record<OffenceKind, number>> = { lost: 0, duplicated: 1, unexpected: 2, pending: 3 };
  const withHistory = (offender: Offender): Offender => {
    const earlier = offender.ref === null ? undefined : input.resent?.get(offender.ref);
    return earlier === undefined ? offender : { ...offender, earlierAnswers: earlier };
  };
  return {
    counts: {
      accepted: acceptedById.size,
      committed,
      committedCompleted,
      committedFailed,
      failed,
      pending,
      lost,
      duplicated,
      unexpected,
      indeterminate: indeterminateCount,
      indeterminateCommitted,
      indeterminateFailed,
      indeterminateNowhere,
    },
    failedReasons: [...reasons]
      .map(([reason, count]) => ({ reason, count }))
      .sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason)),
    offenders: [...lostOffenders, ...offenders, ...pendingOffenders]
      .sort((a, b) => order[a.kind] - order[b.kind])
      .map(withHistory),
  };
};
