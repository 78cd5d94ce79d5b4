export { basicChallenge, basicCredentialsMatch, sameSecret, type BasicCredentials } from './basic-credentials.js';
export {
  createCommittedGroupMetrics,
  GROUP_SIZE_BUCKETS,
  type CommittedGroupCount,
  type CommittedGroupOptions,
} from './committed-groups.js';
export { errorFields, errorMessage } from './error-fields.js';
export { createLogger, type Logger, type LoggerOptions } from './logger.js';
export {
  DEFAULT_METRICS_PREFIX,
  FLUSH_TRIGGERS,
  METRIC,
  PROCESS_METRIC,
  TASK_OUTCOMES,
  type FlushTriggerLabel,
  type TaskOutcomeLabel,
} from './metric-names.js';
export {
  createGroupGauges,
  createMetrics,
  createPartitionsGauge,
  createQueueGauge,
  createRedisMemoryGauge,
  type Metrics,
} from './metrics.js';
export { zeroApiSeries, zeroWorkerSeries } from './zero-series.js';
export { Registry } from 'prom-client';
