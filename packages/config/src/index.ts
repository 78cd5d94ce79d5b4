export { ConfigError } from './config-error.js';
export { formatDuration } from './duration.js';
export {
  API_NODE_OPTIONS,
  missingNodeFlags,
  SERVICE_COMMANDS,
  untunedService,
  WORKER_NODE_OPTIONS,
} from './service-node-options.js';
export { CONFIG_VARIABLES, loadConfig, MAX_QUEUE_SHARDS, type BatchSettings, type Config } from './config.js';
export type { RedisNode } from './env-schema.js';
export {
  loadDevstackConfig,
  loadTestConfig,
  type DevstackConfig,
  type TestConfig,
} from './local-config.js';
export type { Env } from './parse-env.js';
