import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from './logger.js';

/** Where winston's Console transport writes: the console's own stream when it has one. */
const consoleOut = (): NodeJS.WriteStream =>
  (console as unknown as { _stdout?: NodeJS.WriteStream })._stdout ?? process.stdout;

/** The JSON lines the logger printed while `act` ran. */
const printed = (act: () => void): ReadonlyArray<Record<string, unknown>> => {
  const lines: string[] = [];
  const spy = vi.spyOn(consoleOut(), 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  try {
    act();
  } finally {
    spy.mockRestore();
  }
  return lines
    .join('')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
};

afterEach(() => vi.restoreAllMocks());

describe('createLogger', () => {
  it('prints messages at or above its level, with their fields, and nothing below it', () => {
    const logger = createLogger({ component: 'worker', level: 'warn', context: { workerId: 'w1' } });
    const lines = printed(() => {
      logger.info('group committed', { size: 100 });
      logger.debug('details');
      logger.warn('commit failed', { attempt: 2 });
      logger.error('gave up');
    });
    expect(lines.map((line) => [line.level, line.message])).toEqual([
      ['warn', 'commit failed'],
      ['error', 'gave up'],
    ]);
    expect(lines[0]).toMatchObject({ component: 'worker', workerId: 'w1', attempt: 2 });
    expect(typeof lines[0]?.timestamp).toBe('string');
  });

  it('filters a child logger by the same level, and follows a level changed later', () => {
    const logger = createLogger({ component: 'api', level: 'warn' });
    const child = logger.child({ requestId: 'r1' });
    expect(printed(() => child.info('request'))).toEqual([]);
    logger.level = 'info';
    expect(printed(() => child.info('request'))).toMatchObject([{ message: 'request', requestId: 'r1' }]);
  });
});
