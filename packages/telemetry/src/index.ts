export { createLogger, type Logger, type LoggerOptions } from './logger.js';
export { createMetrics, createQueueGauge, type Metrics } from './metrics.js';
export { Registry } from 'prom-client';
