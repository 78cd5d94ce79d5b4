// Sluice in one package: the `sluice` bin, and everything to run the api and workers from code.
export { startApi, type ApiHandle, type StartApiOptions } from '@sluice/api';
export { ConfigError, loadConfig, type Config } from '@sluice/config';
export {
  defineTaskType,
  demoTaskTypes,
  loadTaskTypes,
  TaskModuleError,
  type BatchHandler,
  type HandlerContext,
  type Json,
  type TaskInput,
  type TaskOutcome,
  type TaskType,
} from '@sluice/tasks';
export { startWorker, type StartWorkerOptions, type WorkerHandle } from '@sluice/worker';
