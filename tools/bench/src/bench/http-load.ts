/**
 * The bench's HTTP clients: the bulk load generator for the end-to-end and memory scenarios, and
 * a steady stream of single-task requests for the latency scenario.
 */
import { Agent, request } from 'node:http';
import { dueTasks } from '../chaos/pacing.js';
import { sampleTask } from './sample-tasks.js';

/** Most tasks the api generates in one `{ "count": n }` request. */
const MAX_GENERATED_PER_REQUEST = 100_000;

/**
 * Has the api generate and enqueue `count` tasks of `taskTypes` through
 * `POST /api/tasks/batch { count, taskTypes }` (the seed's load generator, which the api
 * enqueues 1,000 at a time), split over `requests` requests sent at once, and resolves once
 * every task was accepted. One request keeps one chunk in flight, so the api and Redis take
 * turns; several keep both busy, as several clients would.
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
  const parts = Math.max(requests, Math.ceil(count / MAX_GENERATED_PER_REQUEST));
  const sizes = Array.from(
    { length: parts },
    (_, index) => Math.floor(count / parts) + (index < count % parts ? 1 : 0),
  );
  await Promise.all(
    sizes.map(async (n) => {
      if (n === 0) return;
      const response = await fetch(`${apiUrl}/api/tasks/batch`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ count: n, taskTypes }),
        signal: AbortSignal.timeout(600_000),
      });
      const body = await response.text();
      if (response.status !== 202)
        throw new Error(`POST /api/tasks/batch answered ${response.status}: ${body.slice(0, 500)}`);
      const accepted = (JSON.parse(body) as { accepted?: unknown }).accepted;
      if (accepted !== n) throw new Error(`POST /api/tasks/batch accepted ${String(accepted)} of ${n} tasks`);
    }),
  );
};

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
  /** Answers other than 202, and requests that failed without one. */
  readonly errors: number;
  /** From the first request to the last answer. */
  readonly seconds: number;
  /** The first few error messages. */
  readonly errorSamples: ReadonlyArray<string>;
}

/**
 * Sends `rate × (duration + run-out)` single tasks to `POST /api/tasks` at a steady rate over keep-alive
 * connections, the task types taking turns, and resolves once every request was answered.
 * Tasks due are counted from the start, so a late tick sends its backlog at once and the
 * average rate holds.
 *
 * @example
 * const outcome = await runSteadyLoad({ apiUrl, rate: 1_000, durationMs: 60_000, runOutMs: 4_000, maxInFlight: 200 });
 */
export const runSteadyLoad = async (options: SteadyLoadOptions): Promise<SteadyLoadOutcome> => {
  const total = Math.round((options.rate * (options.durationMs + options.runOutMs)) / 1000);
  const agent = new Agent({ keepAlive: true, maxSockets: options.maxInFlight });
  const url = new URL('/api/tasks', options.apiUrl);
  let sent = 0;
  let answered = 0;
  let accepted = 0;
  let errors = 0;
  const errorSamples: string[] = [];
  const fail = (message: string): void => {
    errors += 1;
    if (errorSamples.length < 5) errorSamples.push(message);
  };

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
            if (response.statusCode === 202) accepted += 1;
            else fail(`${response.statusCode}: ${Buffer.concat(chunks).toString('utf8').slice(0, 200)}`);
            resolve();
          });
          response.on('error', (error) => {
            fail(error.message);
            resolve();
          });
        },
      );
      req.setTimeout(30_000, () => req.destroy(new Error('no answer within 30 s')));
      req.on('error', (error) => {
        fail(error.message);
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
  return { windowEndedAt, sent, accepted, errors, seconds: (lastAnswer - started) / 1000, errorSamples };
};
