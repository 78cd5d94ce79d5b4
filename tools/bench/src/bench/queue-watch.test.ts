import { describe, expect, it } from 'vitest';
import { lastFinishOf, type StreamEntry } from './queue-watch.js';

describe('lastFinishOf', () => {
  it('takes the time of the newest completed or failed event, skipping later events of other kinds', () => {
    const entries: StreamEntry[] = [
      ['1700000000900-0', ['event', 'drained']],
      ['1700000000500-3', ['event', 'failed', 'jobId', 'b', 'failedReason', 'boom']],
      ['1700000000400-0', ['event', 'completed', 'jobId', 'a', 'returnvalue', 'null']],
    ];
    expect(lastFinishOf(entries)).toBe(1700000000500);
  });

  it('does not take a field value that merely reads "completed" for the event', () => {
    expect(lastFinishOf([['1700000000100-0', ['jobId', 'completed', 'event', 'added']]])).toBeUndefined();
  });

  it('is undefined when no job has finished', () => {
    expect(lastFinishOf([])).toBeUndefined();
    expect(lastFinishOf([['1700000000100-0', ['event', 'waiting', 'jobId', 'a']]])).toBeUndefined();
  });
});
