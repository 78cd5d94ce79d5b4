/**
 * The bench's HTTP clients: the bulk load generator for the end-to-end and memory scenarios,
 * explicit bulk bodies for the bulk scenario, and a steady stream of single-task requests for
 * the latency scenario.
 */
import { Agent, request } from 'node:http';
import type { Socket } from 'node:net';
import { dueTasks } from '../chaos/pacing.js';
import { eachInFlight } from './in-flight.js';
import { type BulkBody, generatorRequestSizes, sampleTask } from './sample-tasks.js';

/**
 * How long the steady load keeps an idle connection, at most: a load balancer's usual 60 s.
 * Node's agent lowers it to one second under the server's `Keep-Alive: timeout`, but only when
 * it is set: without it the agent kept idle connections until the server closed them (Node 20.20
 * closes at the announced timeout + 1 s), and a request sent on one as it closed got no answer,
 * about 10 in 60,000 at 1,000/s (issue 13).
 */
const IDLE_CONNECTION_MS = 60_000;

/** Sends one `POST /api/tasks/batch` and resolves once the api answered 202 for all `tasks`. */
const postBatch = async (apiUrl: string, body: string, tasks: number): Promise<void> => {
  const response = await fetch(`${apiUrl}/api/tasks/batch`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
    signal: AbortSignal.timeout(600_000),
  });
  const text = await response.text();
  if (response.status !== 202)
    throw new Error(`POST /api/tasks/batch answered ${response.status}: ${text.slice(0, 500)}`);
  const accepted = (JSON.parse(text) as { accepted?: unknown }).accepted;
  if (accepted !== tasks) throw new Error(`POST /api/tasks/batch accepted ${String(accepted)} of ${tasks} tasks`);
};

/**
 * Has the api generate and enqueue `count` tasks of `taskTypes` through
 * `POST /api/tasks/batch { count, taskTypes }` (the seed's load generator, which the api
 * enqueues 1,000 at a time, as parcels), split over `requests` requests sent at once (see
 * `generatorRequestSizes`), and resolves once every task was accepted. One request keeps one
 * chunk in flight, so the api and Redis take turns; several keep both busy, as several clients
 * would.
 *
 * @example
 * await submitGenerated(api.url, 100_000, ['EMAIL'], 4);
 */
export const submitGenerated = async (
  apiUrl: string,
  count: number,
  taskTypes: ReadonlyArray<string>,
  requests = 1,
): Promise<void> => {
  await Promise.all(
    generatorRequestSizes(count, requests).map((n) =>
      n === 0 ? undefined : postBatch(apiUrl, JSON.stringify({ count: n, taskTypes }), n),
    ),
  );
};

/**
 * Sends each body to `POST /api/tasks/batch`, `inFlight` requests at all times: as one is
 * answered the next goes, as that many clients each sending one request after the other would.
 * Resolves once every task was accepted. The first refusal rejects, and no body is sent after it
 * (those in flight finish unobserved).
 *
 * @example
 * await submitBodies(api.url, bulkBodies(100_000, 1_000, 'EMAIL'), 4);
 */
export const submitBodies = (apiUrl: string, bodies: ReadonlyArray<BulkBody>, inFlight: number): Promise<void> =>
  eachInFlight(bodies, inFlight, (body) => postBatch(apiUrl, body.json, body.tasks));

export interface SteadyLoadOptions {
  readonly apiUrl: string;
  /** Tasks per second. */
  readonly rate: number;
  /** The measured window. */
  readonly durationMs: number;
  /**
   * How long the load goes on after the window, unmeasured. A load that stops leaves its last
   * groups partly filled, to be released by their timeout: a tail that a steady load never
   * has. Going on for longer than BATCH_TIMEOUT_MS keeps the window's tasks in steady state.
   */
  readonly runOutMs: number;
  /** Requests in flight at most; beyond it the load falls behind rather than piling up. */
  readonly maxInFlight: number;
  readonly signal?: AbortSignal;
  /** Called about once a second. */
  readonly onProgress?: (sent: number, accepted: number) => void;
}

export interface SteadyLoadOutcome {
  /** When the measured window ended (epoch ms): tasks submitted later are the run-out's. */
  readonly windowEndedAt: number;
  readonly sent: number;
  readonly accepted: number;
  /** Answers other than 202. */
  readonly refused: number;
  /** Requests that ended without an answer: a reset or closed connection, or 30 s of silence. */
  readonly unanswered: number;
  /** From the first request to the last answer. */
  readonly seconds: number;
  /**
   * The first few refusals and unanswered requests, each with what its connection had done: an
   * error on a reused connection idle for about the server's keep-alive timeout is the race.
   */
  readonly failureSamples: ReadonlyArray<string>;
}

/**
 * Sends `rate × (duration + run-out)` single tasks to `POST /api/tasks` at a steady rate over keep-alive
 * connections, the task types taking turns, and resolves once every request was answered. The
 * client closes a connection idle for a second less than the server's `Keep-Alive: timeout`
 * (at most {@link IDLE_CONNECTION_MS}), so it never sends on one the server is closing.
 * Tasks due are counted from the start, so a late tick sends its backlog at once and the
 * average rate holds.
 *
 * @example
 * const outcome = await runSteadyLoad({ apiUrl, rate: 1_000, durationMs: 60_000, runOutMs: 4_000, maxInFlight: 200 });
 */
export const runSteadyLoad = async (options: SteadyLoadOptions): Promise<SteadyLoadOutcome> => {
  const total = Math.round((options.rate * (options.durationMs + options.runOutMs)) / 1000);
  const agent = new Agent({ keepAlive: true, maxSockets: options.maxInFlight, timeout: IDLE_CONNECTION_MS });
  const url = new URL('/api/tasks', options.apiUrl);
  let sent = 0;
  let answered = 0;
  let accepted = 0;
  let refused = 0;
  let unanswered = 0;
  const failureSamples: string[] = [];
  const sample = (message: string): void => {
    if (failureSamples.length < 5) failureSamples.push(message);
  };
  /** When each connection's last answer ended, for what an unanswered request's connection had done. */
  const lastAnswerOn = new WeakMap<Socket, number>();

  const send = (n: number): Promise<void> =>
    new Promise((resolve) => {
      const body = JSON.stringify(sampleTask(n));
      const req = request(
        url,
        {
          method: 'POST',
          agent,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => {
            // Node has taken the socket off the response by now; the request still holds it.
            if (req.socket !== null) lastAnswerOn.set(req.socket, performance.now());
            if (response.statusCode === 202) accepted += 1;
            else {
              refused += 1;
              sample(`${response.statusCode}: ${Buffer.concat(chunks).toString('utf8').slice(0, 200)}`);
            }
            resolve();
          });
          response.on('error', (error) => {
            unanswered += 1;
            sample(`the answer broke off: ${error.message}`);
            resolve();
          });
        },
      );
      const sentAt = performance.now();
      req.setTimeout(30_000, () => req.destroy(new Error('no answer within 30 s')));
      req.on('error', (error: NodeJS.ErrnoException) => {
        unanswered += 1;
        const last = req.socket === null ? undefined : lastAnswerOn.get(req.socket);
        const connection =
          req.reusedSocket && last !== undefined
            ? `a kept-alive connection idle for ${((sentAt - last) / 1000).toFixed(1)} s`
            : 'a new connection';
        sample(`no answer: ${error.code ?? error.message} on ${connection}`);
        resolve();
      });
      req.end(body);
    });

  const started = performance.now();
  const windowEndedAt = Date.now() + options.durationMs;
  let lastAnswer = started;
  let reportedAt = started;
  await new Promise<void>((resolve) => {
    const tick = (): void => {
      const now = performance.now();
      if (now - reportedAt >= 1_000) {
        reportedAt = now;
        options.onProgress?.(sent, accepted);
      }
      const due = options.signal?.aborted ? sent : dueTasks(options.rate, now - started, total);
      while (sent < due && sent - answered < options.maxInFlight) {
        const n = sent;
        sent += 1;
        void send(n).then(() => {
          answered += 1;
          lastAnswer = performance.now();
        });
      }
      if ((sent >= total || options.signal?.aborted === true) && answered === sent) {
        clearInterval(timer);
        resolve();
      }
    };
    const timer = setInterval(tick, 2);
  });
  agent.destroy();
  return {
    windowEndedAt,
    sent,
    accepted,
    refused,
    unanswered,
    seconds: (lastAnswer - started) / 1000,
    failureSamples,
  };
};
