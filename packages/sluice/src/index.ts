// Sluice in one package: the `sluice` bin, everything to run the api and workers from code, and
// createEnqueuer to submit tasks straight into Redis under the api's rules.
export { startApi, type ApiHandle, type StartApiOptions } from '@sluice/api';
export { ConfigError, loadConfig, type Config } from '@sluice/config';
export { openCommittedTasks, type CommittedTasksHandle } from './committed-tasks.js';
export {
  createEnqueuer,
  defineTaskType,
  demoTaskTypes,
  IdempotencyKeyReusedError,
  InvalidTaskError,
  loadTaskTypes,
  OutcomeUnknownError,
  TaskModuleError,
  UnavailableError,
  type Enqueued,
  type EnqueuedMany,
  type Enqueuer,
  type EnqueuerOptions,
  type BatchHandler,
  type HandlerContext,
  type Json,
  type TaskInput,
  type TaskOutcome,
  type TaskType,
} from '@sluice/tasks';
export { startWorker, type StartWorkerOptions, type WorkerHandle } from '@sluice/worker';
