/**
 * Submits the run's tasks over HTTP at a steady rate, with a bound on requests in flight and a
 * time-out per request, and remembers what became of every ref.
 *
 * What an answer means for the refs of a request:
 *
 * - 202: accepted, with the ids the api gave (in request order).
 * - 503: not accepted, or (`outcome-unknown`) perhaps stored: the same refs are sent again after
 *   Retry-After under the same Idempotency-Key, so the api answers with the same ids and adds
 *   only what is missing, and the run still reaches its task count.
 * - connection refused: the request never reached the api: sent again, like a 503.
 * - time-out, reset, any other failure without an answer: indeterminate. The request may or may
 *   not have been enqueued, so it is never re-sent (a re-send could make a duplicate we caused);
 *   the refs are looked up after the drain instead.
 * - any other status: rejected, final. A task of ours should never be, so it is reported.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { AcceptedTask } from './reconcile.js';
import { chaosTask, refOf } from './chaos-task.js';
import { dueTasks } from './pacing.js';

export interface LoadClientOptions {
  /** e.g. `http://127.0.0.1:41234`. */
  readonly apiUrl: string;
  readonly tasks: number;
  /** Tasks per second. */
  readonly rate: number;
  /** Tasks per request; 1 uses `POST /api/tasks`, more use `POST /api/tasks/batch`. */
  readonly perRequest: number;
  readonly maxInFlight: number;
  /** ms. */
  readonly requestTimeoutMs: number;
  /** ms since the run started, for the timeline in the report. */
  readonly clock: () => number;
}

export type NoAnswerCause = 'timeout' | 'reset' | 'refused' | 'other';

export interface IndeterminateRef {
  readonly ref: string;
  readonly cause: NoAnswerCause;
  readonly detail: string;
}

export interface RejectedRef {
  readonly ref: string;
  readonly status: number;
  readonly detail: string;
}

export interface LoadStats {
  readonly requests: number;
  /** Answers by HTTP status. */
  readonly answers: Readonly<Record<string, number>>;
  readonly answers503: number;
  /** Tasks sent again after a 503 (a task can count more than once). */
  readonly tasksResentAfter503: number;
  readonly refusedConnections: number;
  readonly timeouts: number;
  readonly resets: number;
  readonly otherFailures: number;
  /** A 202 whose body did not hold one id per task. */
  readonly malformedAccepts: number;
  /** The most tasks that were due but not yet sent (the client or the api fell behind). */
  readonly maxBacklog: number;
  /** Run clock at the first request and at the last answer, in ms. */
  readonly firstSentAtMs: number | undefined;
  readonly lastAnsweredAtMs: number | undefined;
  /** Request latency of 202 answers, in ms. */
  readonly acceptLatencyMs: { readonly p50: number; readonly p95: number; readonly max: number } | undefined;
}

export interface LoadOutcome {
  readonly accepted: ReadonlyArray<AcceptedTask>;
  readonly indeterminate: ReadonlyArray<IndeterminateRef>;
  readonly rejected: ReadonlyArray<RejectedRef>;
  /** Refs never accepted because the run stopped the client first. */
  readonly unsubmitted: ReadonlyArray<string>;
  /** Refs that were sent more than once, with the answers that made us send them again (`503 at +18.0s`). */
  readonly resent: ReadonlyMap<string, ReadonlyArray<string>>;
  readonly stats: LoadStats;
}

export interface LoadProgress {
  /** Tasks sent at least once. */
  readonly sent: number;
  readonly accepted: number;
  readonly answers503: number;
  readonly indeterminate: number;
  readonly inFlight: number;
}

export interface LoadClient {
  /** Sends every task; resolves once each ref is settled or `signal` aborts (in-flight requests are awaited). */
  run(signal: AbortSignal): Promise<LoadOutcome>;
  progress(): LoadProgress;
}

type Reply =
  | { readonly kind: 'answer'; readonly status: number; readonly retryAfterMs: number; readonly body: string }
  | { readonly kind: 'no-answer'; readonly cause: NoAnswerCause; readonly detail: string };

/** Error codes of a connection that broke after the request may have reached the api. */
const RESET_CODES: ReadonlySet<string> = new Set([
  'ECONNRESET',
  'EPIPE',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'ECONNABORTED',
]);

const codeOf = (error: unknown): string | undefined => {
  const cause = (error as { cause?: { code?: unknown } } | undefined)?.cause;
  return typeof cause?.code === 'string' ? cause.code : undefined;
};

const post = async (url: string, body: string, idempotencyKey: string, timeoutMs: number): Promise<Reply> => {
  try {
    const response = await fetch(url, {
      method: 'POST',
      // A re-sent request carries the same key, so the api hands out the same ids: a 503 whose
      // enqueue Redis ran after all, or a bulk request enqueued in part, cannot turn into duplicates.
      headers: { 'content-type': 'application/json', 'idempotency-key': idempotencyKey },
      body,
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await response.text();
    const retryAfter = Number(response.headers.get('retry-after'));
    return {
      kind: 'answer',
      status: response.status,
      retryAfterMs: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : 1000,
      body: text,
    };
  } catch (error) {
    const detail =
      error instanceof Error
        ? `${error.name}: ${error.message}${codeOf(error) ? ` (${codeOf(error)})` : ''}`
        : String(error);
    if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
      return { kind: 'no-answer', cause: 'timeout', detail };
    }
    const code = codeOf(error);
    if (code === 'ECONNREFUSED') return { kind: 'no-answer', cause: 'refused', detail };
    if (code !== undefined && RESET_CODES.has(code)) return { kind: 'no-answer', cause: 'reset', detail };
    return { kind: 'no-answer', cause: 'other', detail };
  }
};

/** The ids of a 202, in request order, or undefined when the body does not hold one per task. */
const idsOf = (body: string, count: number, single: boolean): ReadonlyArray<string> | undefined => {
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    const ids = single ? [(parsed as { id?: unknown }).id] : (parsed as { taskIds?: unknown }).taskIds;
    if (!Array.isArray(ids) || ids.length !== count || !ids.every((id) => typeof id === 'string')) return undefined;
    return ids as ReadonlyArray<string>;
  } catch {
    return undefined;
  }
};

const percentile = (sorted: ReadonlyArray<number>, p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0;

/** How often the send loop wakes, in ms: fine enough for a steady rate, cheap enough to ignore. */
const TICK_MS = 5;
/** Wait before re-sending after a refused connection, in ms. */
const REFUSED_RETRY_MS = 500;

/**
 * Creates the client; nothing is sent until `run()`.
 *
 * @example
 * const client = createLoadClient({ apiUrl, tasks: 5000, rate: 500, perRequest: 20, maxInFlight: 16, requestTimeoutMs: 10_000, clock });
 * const outcome = await client.run(AbortSignal.timeout(120_000));
 */
export const createLoadClient = (options: LoadClientOptions): LoadClient => {
  const { tasks, rate, perRequest, maxInFlight, requestTimeoutMs, clock } = options;
  const single = perRequest === 1;
  const url = `${options.apiUrl}/api/tasks${single ? '' : '/batch'}`;

  const accepted: AcceptedTask[] = [];
  const indeterminate: IndeterminateRef[] = [];
  const rejected: RejectedRef[] = [];
  /** Requests waiting to be sent again, with when. */
  const retries: Array<{ readonly indices: ReadonlyArray<number>; readonly at: number }> = [];
  const answers: Record<string, number> = {};
  const resent = new Map<string, string[]>();
  const noteResend = (refs: ReadonlyArray<string>, why: string): void => {
    const text = `${why} at +${(clock() / 1000).toFixed(1)}s`;
    for (const ref of refs) {
      const list = resent.get(ref);
      if (list) list.push(text);
      else resent.set(ref, [text]);
    }
  };
  const latencies: number[] = [];
  let next = 0;
  let inFlight = 0;
  let requests = 0;
  let answers503 = 0;
  let tasksResentAfter503 = 0;
  let refusedConnections = 0;
  let timeouts = 0;
  let resets = 0;
  let otherFailures = 0;
  let malformedAccepts = 0;
  let maxBacklog = 0;
  let firstSentAtMs: number | undefined;
  let lastAnsweredAtMs: number | undefined;

  const settle = (indices: ReadonlyArray<number>, reply: Reply, latencyMs: number): void => {
    const refs = indices.map(refOf);
    if (reply.kind === 'answer') {
      lastAnsweredAtMs = clock();
      answers[reply.status] = (answers[reply.status] ?? 0) + 1;
      // A single task re-sent under its key after an unanswered or outcome-unknown try is
      // answered 200 with the task as it is now: accepted all the same, once.
      if (reply.status === 202 || (single && reply.status === 200)) {
        const ids = idsOf(reply.body, indices.length, single);
        if (ids === undefined) {
          malformedAccepts += 1;
          for (const ref of refs)
            indeterminate.push({
              ref,
              cause: 'other',
              detail: `${reply.status} without one id per task: ${reply.body.slice(0, 200)}`,
            });
          return;
        }
        latencies.push(latencyMs);
        refs.forEach((ref, n) => {
          // idsOf checked that there is one id per task.
          accepted.push({ ref, id: ids[n] ?? '' });
        });
        return;
      }
      if (reply.status === 503) {
        answers503 += 1;
        tasksResentAfter503 += indices.length;
        noteResend(refs, '503');
        retries.push({ indices, at: performance.now() + reply.retryAfterMs });
        return;
      }
      for (const ref of refs) rejected.push({ ref, status: reply.status, detail: reply.body.slice(0, 300) });
      return;
    }
    if (reply.cause === 'refused') {
      refusedConnections += 1;
      noteResend(refs, 'connection refused');
      retries.push({ indices, at: performance.now() + REFUSED_RETRY_MS });
      return;
    }
    if (reply.cause === 'timeout') timeouts += 1;
    else if (reply.cause === 'reset') resets += 1;
    else otherFailures += 1;
    for (const ref of refs) indeterminate.push({ ref, cause: reply.cause, detail: reply.detail });
  };

  const send = (indices: ReadonlyArray<number>): void => {
    const first = indices[0];
    if (first === undefined) return;
    const body = JSON.stringify(single ? chaosTask(first) : { tasks: indices.map(chaosTask) });
    inFlight += 1;
    requests += 1;
    firstSentAtMs ??= clock();
    const sentAt = performance.now();
    // The key names the request's tasks: the same indices are re-sent under the same key.
    const key = `${refOf(first)}+${indices.length}`;
    void post(url, body, key, requestTimeoutMs).then((reply) => {
      inFlight -= 1;
      settle(indices, reply, performance.now() - sentAt);
    });
  };

  const takeDueRetry = (now: number): ReadonlyArray<number> | undefined => {
    const at = retries.findIndex((retry) => retry.at <= now);
    return at < 0 ? undefined : retries.splice(at, 1)[0]?.indices;
  };

  const run = async (signal: AbortSignal): Promise<LoadOutcome> => {
    const start = performance.now();
    while (!signal.aborted) {
      const now = performance.now();
      // Re-sends go first: those tasks have waited longest.
      while (inFlight < maxInFlight) {
        const retry = takeDueRetry(now);
        if (retry === undefined) break;
        send(retry);
      }
      const due = dueTasks(rate, now - start, tasks);
      while (inFlight < maxInFlight && next < due) {
        const end = Math.min(next + perRequest, due);
        // Wait for a full request, except for the last tasks of the run.
        if (end - next < perRequest && due < tasks) break;
        send(Array.from({ length: end - next }, (_, n) => next + n));
        next = end;
      }
      maxBacklog = Math.max(maxBacklog, due - next);
      if (next >= tasks && retries.length === 0 && inFlight === 0) break;
      await sleep(TICK_MS);
    }
    // In-flight requests end by themselves: each has its own time-out.
    while (inFlight > 0) await sleep(TICK_MS);
    const unsubmitted = [
      ...retries.flatMap((retry) => retry.indices),
      ...Array.from({ length: tasks - next }, (_, n) => next + n),
    ].map(refOf);
    const sorted = [...latencies].sort((a, b) => a - b);
    return {
      accepted,
      indeterminate,
      rejected,
      unsubmitted,
      resent,
      stats: {
        requests,
        answers: { ...answers },
        answers503,
        tasksResentAfter503,
        refusedConnections,
        timeouts,
        resets,
        otherFailures,
        malformedAccepts,
        maxBacklog,
        firstSentAtMs,
        lastAnsweredAtMs,
        acceptLatencyMs:
          sorted.length === 0
            ? undefined
            : {
                p50: Math.round(percentile(sorted, 50)),
                p95: Math.round(percentile(sorted, 95)),
                max: Math.round(sorted.at(-1) ?? 0),
              },
      },
    };
  };

  return {
    run,
    progress: () => ({
      sent: next,
      accepted: accepted.length,
      answers503,
      indeterminate: indeterminate.length,
      inFlight,
    }),
  };
};
