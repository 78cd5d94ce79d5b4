export { createLogger, type Logger, type LoggerOptions } from './logger.js';
export { createGroupGauges, createMetrics, createQueueGauge, type Metrics } from './metrics.js';
export { Registry } from 'prom-client';
