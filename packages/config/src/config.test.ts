import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from './config-error.js';
import { CONFIG_VARIABLES, loadConfig } from './config.js';
import { loadDevstackConfig, loadTestConfig } from './local-config.js';

describe('loadConfig', () => {
  it('falls back to the seed defaults when nothing is set', () => {
    const config = loadConfig({});
    expect(config.port).toBe(8038);
    expect(config.queueName).toBe('tasks');
    expect(config.batch).toEqual({ size: 100, timeoutMs: 3_000, maxRetries: 3, concurrency: 4, backoffDelayMs: 1_000 });
    expect(config.dbPoolSize).toBe(5);
    expect(config.workers).toBe(2);
    expect(config.log).toEqual({ level: 'info', format: 'json' });
  });

  it('reads numbers and URLs from the environment, treating blank as unset', () => {
    const config = loadConfig({
      BATCH_SIZE: '250',
      BATCH_TIMEOUT_MS: ' ',
      REDIS_URL: 'redis://cache:6379/2',
      WORKER_ID: 'w-7',
    });
    expect(config.batch.size).toBe(250);
    expect(config.batch.timeoutMs).toBe(3_000);
    expect(config.redisUrl).toBe('redis://cache:6379/2');
    expect(config.workerId).toBe('w-7');
    const blank = loadConfig({ REDIS_URL: '', DATABASE_URL: ' ' });
    expect(blank.redisUrl).toBe('redis://127.0.0.1:6379');
    expect(blank.databaseUrl).toBe('postgres://postgres@127.0.0.1:5432/sluice');
  });

  it('leaves the worker metrics port to the worker unless METRICS_PORT is set, and refuses one out of range', () => {
    expect(loadConfig({}).metricsPort).toBeUndefined();
    expect(loadConfig({ METRICS_PORT: ' ' }).metricsPort).toBeUndefined();
    expect(loadConfig({ METRICS_PORT: '0' }).metricsPort).toBe(0);
    expect(loadConfig({ METRICS_PORT: '9470' }).metricsPort).toBe(9470);
    expect(() => loadConfig({ METRICS_PORT: '65536' })).toThrow(/METRICS_PORT: must be at most 65535/);
    expect(() => loadConfig({ METRICS_PORT: 'http' })).toThrow(/METRICS_PORT: must be a whole number/);
  });

  it('returns a frozen object', () => {
    const config = loadConfig({});
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.batch)).toBe(true);
  });

  it('names every bad variable, with the value it got', () => {
    const attempt = () => loadConfig({ BATCH_SIZE: 'lots', PORT: '70000', DATABASE_URL: 'mysql://x' });
    expect(attempt).toThrow(ConfigError);
    try {
      attempt();
    } catch (error) {
      const { issues, message } = error as ConfigError;
      expect(issues.map((issue) => issue.variable).sort()).toEqual(['BATCH_SIZE', 'DATABASE_URL', 'PORT']);
      expect(message).toContain('BATCH_SIZE: must be a whole number (got "lots")');
      expect(message).toContain('PORT: must be at most 65535 (got "70000")');
      expect(message).toContain('DATABASE_URL: must be a URL starting with postgres:// or postgresql://');
    }
  });

  it('rejects a fractional batch size and a zero concurrency', () => {
    expect(() => loadConfig({ BATCH_SIZE: '10.5' })).toThrow(/BATCH_SIZE: must be a whole number/);
    expect(() => loadConfig({ BATCH_CONCURRENCY: '0' })).toThrow(/BATCH_CONCURRENCY: must be at least 1/);
  });

  it("keeps the api's idle connections open longer than a load balancer's 60 s unless told otherwise", () => {
    expect(loadConfig({}).httpKeepAliveTimeoutMs).toBe(65_000);
    expect(loadConfig({ HTTP_KEEP_ALIVE_TIMEOUT_MS: '350000' }).httpKeepAliveTimeoutMs).toBe(350_000);
    expect(() => loadConfig({ HTTP_KEEP_ALIVE_TIMEOUT_MS: '0' })).toThrow(
      /HTTP_KEEP_ALIVE_TIMEOUT_MS: must be at least 1000/,
    );
  });

  it('reads the queue high-water mark', () => {
    expect(loadConfig({}).queueHighWater).toBe(1_000_000);
    expect(loadConfig({ QUEUE_HIGH_WATER: '5000' }).queueHighWater).toBe(5_000);
  });

  it('bounds Redis by default: failed jobs kept 7 days and 10,000 at most, events about 10,000', () => {
    expect(loadConfig({}).redisBounds).toEqual({
      failedJobs: { maxAgeSeconds: 7 * 86_400, maxCount: 10_000 },
      eventsMaxLen: 10_000,
    });
    const config = loadConfig({ FAILED_JOBS_RETENTION: '12h', FAILED_JOBS_MAX: '500', EVENTS_MAX_LEN: '2000' });
    expect(config.redisBounds).toEqual({ failedJobs: { maxAgeSeconds: 43_200, maxCount: 500 }, eventsMaxLen: 2_000 });
  });

  it('reads durations as a whole number and a unit, and names what it expected otherwise', () => {
    expect(loadConfig({ FAILED_JOBS_RETENTION: '90m' }).redisBounds.failedJobs.maxAgeSeconds).toBe(5_400);
    expect(loadConfig({ FAILED_JOBS_RETENTION: '2w' }).redisBounds.failedJobs.maxAgeSeconds).toBe(1_209_600);
    for (const [value, message] of [
      ['7 days', 'must be a whole number and a unit: s, m, h, d or w'],
      ['1.5d', 'must be a whole number and a unit: s, m, h, d or w'],
      ['30s', 'must be from 1m to'],
      ['400d', 'must be from 1m to'],
    ]) {
      expect(() => loadConfig({ FAILED_JOBS_RETENTION: value }), value).toThrow(message);
    }
  });

  it('keeps task rows 7 days in daily partitions by default, and reads both settings as durations', () => {
    expect(loadConfig({}).partitions).toEqual({ intervalSeconds: 86_400, retentionSeconds: 7 * 86_400 });
    expect(loadConfig({ PARTITION_INTERVAL: '1m', TASK_RETENTION: '2m' }).partitions).toEqual({
      intervalSeconds: 60,
      retentionSeconds: 120,
    });
    expect(() => loadConfig({ PARTITION_INTERVAL: '30s' })).toThrow('PARTITION_INTERVAL: must be from 1m to');
    expect(() => loadConfig({ TASK_RETENTION: 'forever' })).toThrow(
      'TASK_RETENTION: must be a whole number and a unit',
    );
  });

  it('refuses settings that would keep more than 1,000 partitions per table, naming the interval', () => {
    expect(loadConfig({ PARTITION_INTERVAL: '1m', TASK_RETENTION: '1000m' }).partitions.retentionSeconds).toBe(60_000);
    expect(() => loadConfig({ PARTITION_INTERVAL: '1m', TASK_RETENTION: '1001m' })).toThrow(
      /PARTITION_INTERVAL: keeps 1001 partitions per table with TASK_RETENTION 1001m; at most 1000/,
    );
  });

  it('uses one queue on REDIS_URL unless told otherwise, and reads cluster nodes and shards', () => {
    const plain = loadConfig({ REDIS_CLUSTER_NODES: ' ' });
    expect(plain.redisClusterNodes).toBeUndefined();
    expect(plain.shards).toEqual({ count: 1, consumed: [0] });
    const cluster = loadConfig({
      REDIS_CLUSTER_NODES: 'redis-1:6379, 10.0.0.2:7001,[::1]:7002',
      QUEUE_SHARDS: '6',
      WORKER_SHARDS: '4, 0,2,2',
    });
    expect(cluster.redisClusterNodes).toEqual([
      { host: 'redis-1', port: 6379 },
      { host: '10.0.0.2', port: 7001 },
      { host: '::1', port: 7002 },
    ]);
    expect(cluster.shards).toEqual({ count: 6, consumed: [0, 2, 4] });
    expect(loadConfig({ QUEUE_SHARDS: '3' }).shards.consumed).toEqual([0, 1, 2]);
  });

  it('refuses a cluster node without a port, shards out of range, and a worker shard QUEUE_SHARDS does not number', () => {
    expect(() => loadConfig({ REDIS_CLUSTER_NODES: 'redis-1:6379,redis-2' })).toThrow(
      /REDIS_CLUSTER_NODES: must be a comma-separated list of host:port .*"redis-2" is not one/,
    );
    expect(() => loadConfig({ REDIS_CLUSTER_NODES: 'redis-1:70000' })).toThrow(/"redis-1:70000" is not one/);
    expect(() => loadConfig({ QUEUE_SHARDS: '0' })).toThrow('QUEUE_SHARDS: must be at least 1');
    expect(() => loadConfig({ QUEUE_SHARDS: '1025' })).toThrow('QUEUE_SHARDS: must be at most 1024');
    expect(() => loadConfig({ WORKER_SHARDS: '0,x' })).toThrow(
      'WORKER_SHARDS: must be a comma-separated list of shard numbers',
    );
    expect(() => loadConfig({ QUEUE_SHARDS: '4', WORKER_SHARDS: '1,4,5' })).toThrow(
      'WORKER_SHARDS: names shard 4, 5, but QUEUE_SHARDS=4 numbers them 0 to 3 (got "1,4,5")',
    );
  });

  it('reads API keys, trimming blanks around commas, and refuses a short key', () => {
    expect(loadConfig({}).apiKeys).toEqual([]);
    expect(loadConfig({ API_KEYS: ' ' }).apiKeys).toEqual([]);
    const config = loadConfig({ API_KEYS: ' key-aaaaaaaaaaaaaaaa , key-bbbbbbbbbbbbbbbb,' });
    expect(config.apiKeys).toEqual(['key-aaaaaaaaaaaaaaaa', 'key-bbbbbbbbbbbbbbbb']);
    expect(() => loadConfig({ API_KEYS: 'key-aaaaaaaaaaaaaaaa,short' })).toThrow(
      /API_KEYS: must be a comma-separated list of keys/,
    );
  });

  it('leaves rate limiting off unless RATE_LIMIT_POINTS is set, counted over 60 s windows by default', () => {
    expect(loadConfig({}).rateLimit).toEqual({ points: 0, windowSeconds: 60 });
    expect(loadConfig({ RATE_LIMIT_POINTS: '600', RATE_LIMIT_WINDOW_SECONDS: '10' }).rateLimit).toEqual({
      points: 600,
      windowSeconds: 10,
    });
    expect(() => loadConfig({ RATE_LIMIT_POINTS: '-1' })).toThrow(/RATE_LIMIT_POINTS: must be at least 0/);
    expect(() => loadConfig({ RATE_LIMIT_WINDOW_SECONDS: '0' })).toThrow(
      /RATE_LIMIT_WINDOW_SECONDS: must be at least 1/,
    );
  });

  it('bounds PostgreSQL statements by default: 30 s on the server, the client its default above that, keepalive after 10 s', () => {
    expect(loadConfig({}).dbConnection).toEqual({ statementTimeoutMs: 30_000, keepAliveInitialDelayMs: 10_000 });
    expect(
      loadConfig({
        DB_STATEMENT_TIMEOUT_MS: '5000',
        DB_QUERY_TIMEOUT_MS: '6000',
        DB_KEEPALIVE_INITIAL_DELAY_MS: '0',
      }).dbConnection,
    ).toEqual({ statementTimeoutMs: 5_000, queryTimeoutMs: 6_000, keepAliveInitialDelayMs: 0 });
    expect(loadConfig({ DB_STATEMENT_TIMEOUT_MS: '0', DB_QUERY_TIMEOUT_MS: '0' }).dbConnection).toMatchObject({
      statementTimeoutMs: 0,
      queryTimeoutMs: 0,
    });
  });

  it('refuses a query timeout that would give up before the server can cancel, and a keepalive delay under a second', () => {
    expect(() => loadConfig({ DB_QUERY_TIMEOUT_MS: '30000' })).toThrow(
      /DB_QUERY_TIMEOUT_MS: must be 0 or above DB_STATEMENT_TIMEOUT_MS \(30000\).*\(got "30000"\)/,
    );
    expect(() => loadConfig({ DB_STATEMENT_TIMEOUT_MS: '60000' })).not.toThrow();
    expect(loadConfig({ DB_STATEMENT_TIMEOUT_MS: '0', DB_QUERY_TIMEOUT_MS: '100' }).dbConnection.queryTimeoutMs).toBe(
      100,
    );
    expect(() => loadConfig({ DB_KEEPALIVE_INITIAL_DELAY_MS: '500' })).toThrow(
      /DB_KEEPALIVE_INITIAL_DELAY_MS: must be 0 \(off\) or at least 1000/,
    );
    expect(() => loadConfig({ DB_STATEMENT_TIMEOUT_MS: '-1' })).toThrow(/DB_STATEMENT_TIMEOUT_MS: must be at least 0/);
    expect(() => loadConfig({ DB_QUERY_TIMEOUT_MS: '1.5' })).toThrow(/DB_QUERY_TIMEOUT_MS: must be a whole number/);
  });

  it('reads the task module path as given, and leaves it unset (the demo task types) when blank', () => {
    expect(loadConfig({}).tasksModule).toBeUndefined();
    expect(loadConfig({ SLUICE_TASKS: ' ' }).tasksModule).toBeUndefined();
    expect(loadConfig({ SLUICE_TASKS: './tasks.mjs' }).tasksModule).toBe('./tasks.mjs');
  });

  it('requires the metrics username and password together', () => {
    expect(loadConfig({}).metricsAuth).toBeUndefined();
    expect(() => loadConfig({ METRICS_PASSWORD: 'x' })).toThrow(
      /METRICS_USERNAME: METRICS_USERNAME and METRICS_PASSWORD must be set together/,
    );
    expect(loadConfig({ METRICS_USERNAME: 'prom', METRICS_PASSWORD: 'scrape' }).metricsAuth).toEqual({
      username: 'prom',
      password: 'scrape',
    });
  });

  it('requires the Bull Board username and password together', () => {
    expect(() => loadConfig({ BOARD_USERNAME: 'admin' })).toThrow(
      /BOARD_PASSWORD: BOARD_USERNAME and BOARD_PASSWORD must be set together/,
    );
    expect(loadConfig({ BOARD_USERNAME: 'admin', BOARD_PASSWORD: 's3cret' }).board).toEqual({
      username: 'admin',
      password: 's3cret',
      readOnly: false,
    });
  });
});

describe('CONFIG_VARIABLES', () => {
  it('names the variables loadConfig reads and nothing else from the environment', () => {
    expect(CONFIG_VARIABLES).toEqual(
      expect.arrayContaining(['PORT', 'REDIS_URL', 'DATABASE_URL', 'BATCH_TIMEOUT_MS', 'SHUTDOWN_GRACE_MS']),
    );
    expect(CONFIG_VARIABLES).not.toContain('NODE_ENV');
    expect(CONFIG_VARIABLES).not.toContain('TEST_REDIS_URL');
    expect(Object.isFrozen(CONFIG_VARIABLES)).toBe(true);
  });
});

describe('loadDevstackConfig and loadTestConfig', () => {
  it('leave Redis and PostgreSQL unset unless given, so local ones are started', () => {
    expect(loadDevstackConfig({})).toEqual({ port: 8038, workers: 2 });
    expect(loadDevstackConfig({ REDIS_URL: 'redis://r:1', WORKERS: '3' })).toEqual({
      port: 8038,
      workers: 3,
      redisUrl: 'redis://r:1',
    });
    expect(loadTestConfig({ TEST_DATABASE_URL: 'postgres://p/db' })).toEqual({ databaseUrl: 'postgres://p/db' });
  });

  it('take a relative SLUICE_TASKS from the folder npm was started in, which npm names INIT_CWD', () => {
    expect(loadDevstackConfig({ SLUICE_TASKS: 'lib/tasks.mjs', INIT_CWD: '/home/ada/shop' }).tasksModule).toBe(
      '/home/ada/shop/lib/tasks.mjs',
    );
    expect(loadDevstackConfig({ SLUICE_TASKS: '/srv/tasks.mjs', INIT_CWD: '/home/ada/shop' }).tasksModule).toBe(
      '/srv/tasks.mjs',
    );
    expect(loadDevstackConfig({ SLUICE_TASKS: 'tasks.mjs' }).tasksModule).toBe(resolve('tasks.mjs'));
    expect(loadDevstackConfig({ INIT_CWD: '/home/ada/shop' }).tasksModule).toBeUndefined();
  });
});
