/**
 * `@sluice/batching`: hand a BullMQ worker its jobs in groups.
 *
 * Open-source BullMQ gives a processor one job at a time. `createBatchWorker` keeps that model,
 * because each job still completes, fails, retries and backs off on its own, but parks every job
 * in a group keyed by `keyOf(job)` (default: the job's name). A job may carry many tasks of its
 * key (`weightOf(job)`, default 1), and everything is counted in tasks. A group is released when
 * its jobs' tasks reach its key's `size` (a job that does not fit releases the group first; one
 * that carries `size` or more alone is a group of its own), when its first job has waited its
 * key's `timeoutMs`, when the tasks held reach the worker's hold budget (the fullest group,
 * trigger `pressure`), or on `close()`, and `processGroup` then answers one outcome per job. The
 * budget follows the keys in use up to `maxHeld`, and BullMQ's concurrency, which counts jobs,
 * follows the budget divided by the mean weight of the jobs received lately. Jobs stay
 * BullMQ-active, with their locks renewed, until their group is processed, so a crashed worker's
 * jobs come back through BullMQ's stalled check.
 *
 * `createBatcher` is the pure core underneath (no I/O, injected clock), usable without BullMQ.
 *
 * @example
 * import { createBatchWorker } from '@sluice/batching';
 *
 * const batchWorker = createBatchWorker<Email, string>({
 *   queueName: 'tasks',
 *   connection: redis, // an ioredis instance with maxRetriesPerRequest: null
 *   size: 100, // the defaults
 *   timeoutMs: 3_000,
 *   concurrency: 4,
 *   processGroup: async (group) => {
 *     const sent = await mailer.sendMany(group.items.map((job) => job.data));
 *     return sent.map((result) =>
 *       result.ok ? { ok: true, value: result.messageId } : { ok: false, error: new Error(result.reason) },
 *     );
 *   },
 * });
 * batchWorker.worker.on('error', (error) => logger.error('bullmq', { error }));
 * // in main.ts, on SIGTERM: flush open groups, wait for them, close BullMQ
 * await batchWorker.close();
 *
 * @packageDocumentation
 */
export {
  batchWorkerDefaults,
  createBatchWorker,
  type BatchWorker,
  type BatchWorkerOptions,
  type WorkerOverrides,
} from './batch-worker.js';
export {
  createBatcher,
  FLUSH_TRIGGERS,
  type Batcher,
  type BatcherObserver,
  type BatcherOptions,
  type BatcherSnapshot,
  type FlushTrigger,
  type Group,
  type GroupLimits,
  type Outcome,
} from './batcher.js';
export { systemClock, type Clock } from './clock.js';
export { InvalidOptionError } from './invalid-option-error.js';
export { LockLostError } from './lock-lost-error.js';
export { OutcomeCountError } from './outcome-count-error.js';
