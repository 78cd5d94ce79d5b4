import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { createCatalog, type Catalog } from './catalog.js';
import { defineTaskType, type Json, type TaskInput, type TaskOutcome } from './task-type.js';

/**
 * Optional knobs on every demo payload, so retries and failures can be tried by hand:
 * `failAttempts: 2` fails the first two attempts and succeeds on the third;
 * `fail: "retryable"` fails every attempt; `fail: "permanent"` fails at once without retry.
 */
const simulate = z
  .strictObject({
    failAttempts: z.int().min(0).max(100).optional(),
    fail: z.enum(['retryable', 'permanent']).optional(),
  })
  .optional();

export interface DemoSettings {
  /** Share of tasks whose handler fails with a retryable error (DEMO_FAILURE_RATE). */
  readonly failureRate: number;
  /** Simulated provider call per group, in ms (DEMO_WORK_MS). */
  readonly workMs: number;
  /** Source of randomness for the failure rate; injectable so tests are exact. */
  readonly random?: () => number;
}

type Simulated = { readonly simulate?: z.output<typeof simulate> };

/**
 * The seed's free-text form, `"payload": "test data"`: the whole payload is the message's text,
 * with the length limit of the field it stands for. A union of the structured form and this, not a
 * preprocess into the structured form: a text names no recipient to fill in, and the task keeps
 * what the client sent. `validateSubmission` unfolds the union's errors (`explainIssues`), so a
 * wrong object is still told which field is wrong.
 */
const text = (max: number) =>
  z.string().min(1, 'must not be empty').max(max, `must be a text of at most ${max} characters, or an object`);

/** Knobs apply to structured payloads only: a text payload fails only by the failure rate. */
const knobsOf = (payload: Simulated | string): z.output<typeof simulate> =>
  typeof payload === 'string' ? undefined : payload.simulate;

/**
 * The shared shape of the demo handlers: one simulated provider call per group (the point of
 * batching), then an outcome per task from the simulate knobs and the failure rate.
 */
const demoHandler =
  <P extends Simulated | string>(settings: DemoSettings, result: (task: TaskInput<P>) => Json) =>
  async (tasks: ReadonlyArray<TaskInput<P>>): Promise<ReadonlyArray<TaskOutcome>> => {
    const random = settings.random ?? Math.random;
    if (settings.workMs > 0) await sleep(settings.workMs);
    return tasks.map((task): TaskOutcome => {
      const knobs = knobsOf(task.payload);
      if (knobs?.fail === 'permanent') {
        return { ok: false, error: 'simulated permanent failure', retry: false };
      }
      if (knobs?.fail === 'retryable') {
        return { ok: false, error: `simulated failure on attempt ${task.attempt}`, retry: true };
      }
      if (knobs?.failAttempts !== undefined && task.attempt <= knobs.failAttempts) {
        return { ok: false, error: `simulated failure on attempt ${task.attempt}`, retry: true };
      }
      if (settings.failureRate > 0 && random() < settings.failureRate) {
        return { ok: false, error: 'simulated provider error (DEMO_FAILURE_RATE)', retry: true };
      }
      return { ok: true, result: result(task) };
    });
  };

/**
 * EMAIL, SMS and PUSH: the seed's demo task types, which the api and the worker run when no task
 * module is configured (`SLUICE_TASKS`). Their handlers stand in for a provider's bulk API: a
 * short pause per group, and a made-up message id per task. Each takes its structured payload or,
 * as the seed's README sends it, a plain text: an EMAIL's body, an SMS's message, a PUSH's body.
 *
 * @example
 * const api = await startApi({ config, taskTypes: demoTaskTypes(config.demo) });
 */
export const demoTaskTypes = (settings: DemoSettings) => {
  const email = defineTaskType({
    name: 'EMAIL',
    payload: z.union([
      z.looseObject({
        to: z.email({ error: 'must be an email address' }),
        subject: z.string().max(998).optional(),
        body: z.string().max(32_768).optional(),
        simulate,
      }),
      text(32_768),
    ]),
    sample: (n) => ({ to: `user${n}@example.com`, subject: `Hello #${n}`, body: 'Sent by the Sluice load generator' }),
    handle: demoHandler(settings, (task) => ({
      messageId: `email-${task.id.slice(-12)}`,
      to: typeof task.payload === 'string' ? null : task.payload.to,
    })),
  });
  const sms = defineTaskType({
    name: 'SMS',
    payload: z.union([
      z.looseObject({
        to: z.string().regex(/^\+?[0-9]{6,15}$/, 'must be a phone number: 6 to 15 digits, optionally after +'),
        message: z.string().min(1).max(1_600),
        simulate,
      }),
      text(1_600),
    ]),
    sample: (n) => ({ to: `+1555${String(n % 10_000_000).padStart(7, '0')}`, message: `Code ${n % 1_000_000}` }),
    handle: demoHandler(settings, (task) => ({
      messageId: `sms-${task.id.slice(-12)}`,
      segments: Math.ceil((typeof task.payload === 'string' ? task.payload : task.payload.message).length / 160),
    })),
  });
  const push = defineTaskType({
    name: 'PUSH',
    payload: z.union([
      z.looseObject({
        deviceToken: z.string().min(1).max(4_096),
        title: z.string().min(1).max(256),
        body: z.string().max(4_096).optional(),
        simulate,
      }),
      text(4_096),
    ]),
    sample: (n) => ({ deviceToken: `device-${n.toString(16).padStart(8, '0')}`, title: `Update #${n}` }),
    handle: demoHandler(settings, (task) => ({ messageId: `push-${task.id.slice(-12)}` })),
  });
  // Typed as the three it is, so `ReturnType<typeof demoTaskTypes>` types a client's payloads.
  return Object.freeze([email, sms, push] as const);
};

/**
 * The catalog of the {@link demoTaskTypes}.
 *
 * @example
 * createDemoCatalog({ failureRate: 0, workMs: 0 }).names; // ['EMAIL', 'SMS', 'PUSH']
 */
export const createDemoCatalog = (settings: DemoSettings): Catalog => createCatalog(demoTaskTypes(settings));
