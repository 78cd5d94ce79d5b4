import { describe, expect, it } from 'vitest';
import { formatBatches } from './batches-table.js';
import { committedCounts, formatStats } from './stats-view.js';

describe('committedCounts', () => {
  it('reads totals.completed and totals.failed', () => {
    expect(committedCounts({ totals: { batches: 6, completed: 503, failed: 2 } })).toEqual({
      completed: 503,
      failed: 2,
    });
  });

  it('reads tasks.completed and tasks.failed', () => {
    expect(committedCounts({ tasks: { completed: 12, failed: 3, queued: 9 } })).toEqual({ completed: 12, failed: 3 });
  });

  it('accepts top-level counts and a missing failed count', () => {
    expect(committedCounts({ completed: 5 })).toEqual({ completed: 5, failed: 0 });
  });

  it('says when there is no completed count to follow', () => {
    expect(committedCounts({ tasks: {} })).toBeUndefined();
    expect(committedCounts('down')).toBeUndefined();
  });
});

describe('formatStats', () => {
  it('prints any shape as dotted keys with readable values', () => {
    expect(formatStats({ tasks: { completed: 12_345, failed: 0 }, p95Ms: 812.456, queue: null }).split('\n')).toEqual([
      '  tasks.completed  12,345',
      '  tasks.failed     0',
      '  p95Ms            812.46',
      '  queue            —',
    ]);
  });
});

describe('formatStats with lists', () => {
  it('prints an array of objects as a table under its key', () => {
    const text = formatStats({
      totals: { completed: 3 },
      byTaskType: [
        { taskType: 'EMAIL', completed: 2 },
        { taskType: 'SMS', completed: 1, averageGroupSize: 1.5 },
      ],
    });
    expect(text.split('\n')).toEqual([
      '  totals.completed  3',
      '',
      '  byTaskType',
      '    taskType  completed  averageGroupSize',
      '    ────────  ─────────  ────────────────',
      '    EMAIL             2                 —',
      '    SMS               1              1.50',
    ]);
  });
});

describe('formatBatches', () => {
  it('shows one row per batch and a dash for a field the api did not send', () => {
    const lines = formatBatches({
      items: [
        {
          id: '0197a000-0000-7000-8000-00000000abcd',
          taskType: 'EMAIL',
          size: 100,
          completed: 99,
          failed: 1,
          trigger: 'size',
          handlerMs: 2,
          commitMs: 1.75,
          committedAt: '2025-11-28T12:00:01.250Z',
        },
        { id: 'short', taskType: 'SMS', size: 3, completed: 3, failed: 0, trigger: 'timeout' },
      ],
      nextCursor: 'x',
    }).split('\n');
    expect(lines[0]).toMatch(/^ {2}batch +type +size +ok +failed +trigger +handler ms +commit ms +committed \(UTC\)$/);
    expect(lines[2]).toMatch(/^ {2}…0000abcd +EMAIL +100 +99 +1 +size +2\.0 +1\.8 +12:00:01\.250$/);
    expect(lines[3]).toMatch(/^ {2}short +SMS +3 +3 +0 +timeout +— +— +—$/);
  });

  it('says so when there are no batches', () => {
    expect(formatBatches({ items: [] })).toBe('  (no batches yet)');
  });
});
