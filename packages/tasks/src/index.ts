export { bulkJobs, keyedBulkJobs, singleJob, type BulkJobs, type KeyedBulk, type NewJob } from './bulk-jobs.js';
export { createCatalog, type Catalog } from './catalog.js';
export { createDemoCatalog, demoTaskTypes, type DemoSettings } from './demo-task-types.js';
export {
  createEnqueuer,
  ENQUEUER_DEFAULTS,
  type Enqueued,
  type EnqueuedMany,
  type Enqueuer,
  type EnqueuerOptions,
  type PayloadOf,
  type SubmitOptions,
  type TaskOf,
  type TaskTypeName,
} from './enqueuer.js';
export {
  bulkTaskIdsForKey,
  callerOfApiKey,
  canonicalJson,
  IDEMPOTENCY_KEY,
  taskIdForKey,
  type BulkTaskIds,
} from './idempotency.js';
export {
  enqueueFailure,
  IdempotencyKeyReusedError,
  InvalidTaskError,
  OutcomeUnknownError,
  UnavailableError,
} from './enqueue-errors.js';
export {
  checkJob,
  jobDataSchema,
  tasksIn,
  type CheckedJob,
  type CheckedTasks,
  type JobData,
  type ParcelData,
  type ParcelTask,
  type QueuedJobData,
} from './job-data.js';
export {
  batcherKey,
  groupByKey,
  parcelBatcherKey,
  parseBatcherKey,
  type GroupByAnswer,
  type ParsedKey,
} from './group-key.js';
export {
  newParcelBase,
  PARCEL_ATTEMPT_LIMIT,
  PARCEL_INDEX_LIMIT,
  parcelFields,
  parcelJobIdOf,
  retryParcelId,
  withParcelFields,
  type ParcelFields,
} from './parcel-id.js';
export { keyedParcelIds, type KeyedParcelIds } from './keyed-parcels.js';
export { submitKeyed, type KeyedOutcome, type KeyedSubmission } from './keyed-submission.js';
export { MAX_PARCEL_TASKS, parcelSizeOf, planParcels, type PlannedParcel } from './parcel-plan.js';
export {
  DEFAULT_QUEUE_NAME,
  EXTRA_TASKS_KEY,
  FAILED_JOBS_DEFAULTS,
  jobOptions,
  type FailedJobsBound,
  type RetrySettings,
} from './queue-contract.js';
export { assertNoEviction, RedisPolicyError } from './redis-policy.js';
export {
  createRedisClient,
  isCluster,
  pingAll,
  primariesOf,
  redisTargetOf,
  type RedisClient,
  type RedisNodeAddress,
  type RedisTarget,
} from './redis-client.js';
export { keySlot, SLOT_COUNT } from './key-slot.js';
export { shardOf } from './shard-of.js';
export { shardQueueNames, type ShardLayout } from './shard-names.js';
export { placementProblem, shardPlacement, type ServerShards } from './shard-placement.js';
export { strandedQueues, type StrandedQueue } from './stranded-queues.js';
export {
  MAX_BULK_TASKS,
  MAX_KEY_LENGTH,
  MAX_PAYLOAD_BYTES,
  MAX_PAYLOAD_DEPTH,
  MAX_STRING_LENGTH,
  validateSubmission,
  validateSubmissions,
  type FieldError,
  type Submission,
  type Validated,
} from './submission.js';
export type { QueuedTask } from './queued-tasks.js';
export {
  foundInQueue,
  foundInStore,
  lookUpTasks,
  type CommittedTask,
  type CommittedTasks,
  type FoundTask,
  type LookupDeps,
  type TaskView,
} from './task-lookup.js';
export { createTaskQueue, type TaskQueue } from './task-queue.js';
export { TaskModuleError, type TaskModuleProblem } from './task-module-error.js';
export { loadTaskTypes, processTaskTypes, type LoadTaskTypesOptions } from './task-module.js';
export { sinkRowsProblem } from './sink-rows.js';
export { isUuid, newId } from './task-id.js';
export {
  defineTaskType,
  outcomeProblem,
  SQL_IDENTIFIER,
  TASK_TYPE_NAME,
  taskTypeOptionsProblem,
  type BatchHandler,
  type BatchSettings,
  type HandlerContext,
  type Json,
  type SinkRow,
  type TaskInput,
  type TaskLogger,
  type TaskOutcome,
  type TaskSink,
  type TaskType,
} from './task-type.js';
