import { describe, expect, it } from 'vitest';
import { observePartitions, partitionChanges, type PartitionHistory } from './partition-tracker.js';

const observeAll = (listings: ReadonlyArray<ReadonlyArray<string>>): PartitionHistory | undefined =>
  listings.reduce<PartitionHistory | undefined>((history, names) => observePartitions(history, names), undefined);

describe('partition history', () => {
  it('counts nothing made or dropped for a plain table', () => {
    expect(partitionChanges(observeAll([[], [], []]))).toEqual({ count: 0, created: 0, dropped: 0 });
    expect(partitionChanges(undefined)).toEqual({ count: 0, created: 0, dropped: 0 });
  });

  it('counts the partitions there at the start as neither made nor dropped', () => {
    expect(
      partitionChanges(
        observeAll([
          ['p1', 'p2'],
          ['p1', 'p2'],
        ]),
      ),
    ).toEqual({ count: 2, created: 0, dropped: 0 });
  });

  it('counts a partition made ahead and one dropped for the retention while the count stays level', () => {
    const history = observeAll([
      ['p1', 'p2', 'p3'],
      ['p1', 'p2', 'p3', 'p4'],
      ['p2', 'p3', 'p4'],
      ['p2', 'p3', 'p4', 'p5'],
      ['p3', 'p4', 'p5'],
    ]);
    expect(partitionChanges(history)).toEqual({ count: 3, created: 2, dropped: 2 });
  });

  it('counts a partition made and dropped during the run as both', () => {
    expect(partitionChanges(observeAll([['p1'], ['p1', 'p2'], ['p1']]))).toEqual({ count: 1, created: 1, dropped: 1 });
  });

  it('leaves the history it was given as it was', () => {
    const first = observePartitions(undefined, ['p1']);
    observePartitions(first, ['p2']);
    expect([...first.seen]).toEqual(['p1']);
    expect([...first.current]).toEqual(['p1']);
  });
});
