// The server managers alone, without vitest: devstack and the benchmarks start the same servers.
export { exited, tailOf, waitForOutput } from './child-process.js';
export { freePort } from './free-port.js';
export { startNodeProcess, type NodeProcess, type NodeProcessOptions } from './node-process.js';
export { othersCanReach } from './others-can-reach.js';
export {
  startPostgresServer,
  type PostgresServer,
  type PostgresServerOptions,
} from './postgres-server.js';
export {
  startRedisCluster,
  type RedisCluster,
  type RedisClusterNode,
  type RedisClusterOptions,
} from './redis-cluster.js';
export {
  REDIS_INSTALL_HINT,
  startRedisServer,
  type RedisServer,
  type RedisServerOptions,
} from './redis-server.js';
