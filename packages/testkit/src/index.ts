export { exited, tailOf, waitForOutput } from './child-process.js';
export { createDatabase, dropDatabase } from './databases.js';
export { test, type ServiceFixtures } from './fixtures.js';
export { freePort } from './free-port.js';
export { startNodeProcess, type NodeProcess } from './node-process.js';
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
  startPostgresServer,
  type PostgresServer,
  type PostgresServerOptions,
} from './postgres-server.js';
export {
  REDIS_INSTALL_HINT,
  startRedisServer,
  type RedisServer,
  type RedisServerOptions,
} from './redis-server.js';
export { waitFor, type WaitForOptions } from './wait-for.js';
