// Everything the servers entry has, plus what only tests use (vitest fixtures, databases, waits).
export * from './servers.js';
export { createDatabase, dropDatabase } from './databases.js';
export { test, type ServiceFixtures } from './fixtures.js';
export { createOutsideProject, type OutsideProject } from './outside-project.js';
export { GREET_TASK_MODULE, submitAndAwaitCommit } from './task-module-fixtures.js';
export {
  PROMETHEUS_INSTALL_HINT,
  startPrometheusServer,
  type PrometheusSample,
  type PrometheusServer,
  type PrometheusServerOptions,
  type ScrapeJob,
} from './prometheus-server.js';
export { checkMetrics, type PromtoolResult } from './promtool.js';
export {
  startRedisCluster,
  type RedisCluster,
  type RedisClusterNode,
  type RedisClusterOptions,
} from './redis-cluster.js';
export { waitFor, type WaitForOptions } from './wait-for.js';
