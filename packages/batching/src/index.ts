export {
  createBatcher,
  type Batcher,
  type BatcherObserver,
  type BatcherOptions,
  type BatcherSnapshot,
  type FlushTrigger,
  type Group,
  type Outcome,
} from './batcher.js';
export { systemClock, type Clock } from './clock.js';
export { InvalidOptionError } from './invalid-option-error.js';
export { OutcomeCountError } from './outcome-count-error.js';
export {
  batchWorkerDefaults,
  createBatchWorker,
  type BatchWorker,
  type BatchWorkerOptions,
  type WorkerOverrides,
} from './batch-worker.js';
