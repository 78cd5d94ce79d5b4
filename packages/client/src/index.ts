// @sluice/client: a typed client of the Sluice api, with safe retries. No runtime dependencies.
export type { BatchPage, BatchView, Stats, Submitted, SubmittedMany, Throughput } from './api-answers.js';
export type { ClientOptions } from './client-options.js';
export {
  createClient,
  type BatchesQuery,
  type CallOptions,
  type SluiceClient,
  type SubmitOptions,
  type ThroughputQuery,
} from './create-client.js';
export type { FetchInit, FetchLike, FetchResponse } from './fetch-like.js';
export { DEFAULT_RETRY, type RetryOptions, type RetryPolicy } from './retry-policy.js';
export { SluiceError, type FieldError, type SluiceErrorFields } from './sluice-error.js';
export type { PayloadOf, TaskCatalog, TaskSubmission, TaskTypeLike, TaskTypeName } from './task-catalog.js';
export type { TaskStatus, TaskView } from './task-view.js';
export { DEFAULT_WAIT_TIMEOUT_MS, type WaitForOptions } from './wait-for-task.js';
export { WaitTimeoutError } from './wait-timeout-error.js';
