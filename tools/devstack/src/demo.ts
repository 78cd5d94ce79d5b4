// `npm run demo`: what the seed's demo did, against a running `npm start`.
//   npm run demo [-- --url http://host:port] [--count 500] [--timeout 60]   (or API_URL=http://host:port)
import { parseArgs } from 'node:util';
import { ConfigError, loadDevstackConfig } from '@sluice/config';
import { createApiClient } from './api-client.js';
import { ApiResponseError } from './api-response-error.js';
import { ApiUnreachableError } from './api-unreachable-error.js';
import { runDemo } from './demo-run.js';

const TASK_TYPES = ['EMAIL', 'SMS', 'PUSH'] as const;

const fail = (message: string): never => {
  process.stderr.write(`✗ ${message}\n`);
  process.exit(1);
};

const wholeNumber = (flag: string, text: string, min: number, max: number): number => {
  const value = Number(text);
  return Number.isInteger(value) && value >= min && value <= max
    ? value
    : fail(`--${flag} must be a whole number from ${min} to ${max} (got ${JSON.stringify(text)})`);
};

const { values } = (() => {
  try {
    return parseArgs({
      options: {
        url: { type: 'string' },
        count: { type: 'string', default: '500' },
        timeout: { type: 'string', default: '60' },
      },
    });
  } catch (error) {
    return fail(
      `${(error as Error).message}\nusage: npm run demo [-- --url http://localhost:8038] [--count 500] [--timeout 60]`,
    );
  }
})();

const baseUrl = (() => {
  if (values.url !== undefined) return values.url;
  try {
    const config = loadDevstackConfig();
    return config.apiUrl ?? `http://localhost:${config.port}`;
  } catch (error) {
    return error instanceof ConfigError ? fail(error.message) : fail(String(error));
  }
})();

try {
  const result = await runDemo({
    api: createApiClient(baseUrl),
    count: wholeNumber('count', values.count, 1, 10_000),
    taskTypes: TASK_TYPES,
    timeoutMs: wholeNumber('timeout', values.timeout, 1, 3_600) * 1000,
    out: process.stdout,
  });
  process.exitCode = result.settled ? 0 : 1;
} catch (error) {
  if (error instanceof ApiUnreachableError || error instanceof ApiResponseError) fail(error.message);
  throw error;
}
