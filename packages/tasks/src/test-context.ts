import type { HandlerContext } from './task-type.js';

const quiet = (): undefined => undefined;

/** A handler context for calling a handler directly in a spec: never aborted, logs nothing. */
export const testContext = (overrides: Partial<HandlerContext> = {}): HandlerContext => ({
  signal: new AbortController().signal,
  logger: { error: quiet, warn: quiet, info: quiet, debug: quiet },
  group: { key: null, trigger: 'size' },
  ...overrides,
});
