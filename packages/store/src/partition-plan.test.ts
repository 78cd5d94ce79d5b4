import { describe, expect, it } from 'vitest';
import { aheadMs, coverageOf, partitionName, planPartitions, type PartitionRange } from './partition-plan.js';

const at = (iso: string): Date => new Date(iso);
const minute = { intervalSeconds: 60, retentionSeconds: 120 };
const daily = { intervalSeconds: 86_400, retentionSeconds: 7 * 86_400 };

const range = (name: string, from: string | null, to: string): PartitionRange => ({
  name,
  from: from === null ? null : at(from),
  to: at(to),
});

describe('partitionName', () => {
  it('names a partition after its table and its first instant, in UTC to the second', () => {
    expect(partitionName('tasks', at('2026-12-03T11:00:00Z'))).toBe('tasks_p20261203_110000');
    expect(partitionName('batches', at('2026-01-09T00:00:07.250Z'))).toBe('batches_p20260109_000007');
  });
});

describe('planPartitions', () => {
  it('joins the initial partition to the next boundary, then creates aligned ones at least 5 minutes ahead', () => {
    const initial = range('tasks_initial', null, '2026-12-03T11:59:37.123Z');
    const plan = planPartitions('tasks', [initial], minute, at('2026-12-03T11:59:40Z'));
    expect(plan.create.map((p) => [p.name, p.from.toISOString(), p.to.toISOString()])).toEqual([
      ['tasks_p20261203_115937', '2026-12-03T11:59:37.123Z', '2026-12-03T12:00:00.000Z'],
      ['tasks_p20261203_120000', '2026-12-03T12:00:00.000Z', '2026-12-03T12:01:00.000Z'],
      ['tasks_p20261203_120100', '2026-12-03T12:01:00.000Z', '2026-12-03T12:02:00.000Z'],
      ['tasks_p20261203_120200', '2026-12-03T12:02:00.000Z', '2026-12-03T12:03:00.000Z'],
      ['tasks_p20261203_120300', '2026-12-03T12:03:00.000Z', '2026-12-03T12:04:00.000Z'],
      ['tasks_p20261203_120400', '2026-12-03T12:04:00.000Z', '2026-12-03T12:05:00.000Z'],
    ]);
    expect(plan.drop).toEqual([]);
  });

  it('reaches two intervals ahead when that is further than 5 minutes, on UTC day boundaries for 1d', () => {
    const existing = [range('tasks_p20261203_000000', '2026-12-03T00:00:00Z', '2026-12-04T00:00:00Z')];
    const plan = planPartitions('tasks', existing, daily, at('2026-12-03T18:00:00Z'));
    expect(plan.create.map((p) => p.name)).toEqual(['tasks_p20261204_000000', 'tasks_p20261205_000000']);
    expect(aheadMs(daily)).toBe(2 * 86_400_000);
    expect(aheadMs(minute)).toBe(300_000);
  });

  it('creates nothing while partitions already reach far enough ahead', () => {
    const existing = [range('t', '2026-12-03T12:00:00Z', '2026-12-03T12:10:00Z')];
    expect(planPartitions('tasks', existing, minute, at('2026-12-03T12:05:00Z')).create).toEqual([]);
    expect(planPartitions('tasks', existing, minute, at('2026-12-03T12:05:00.001Z')).create.map((p) => p.name)).toEqual(
      ['tasks_p20261203_121000'],
    );
  });

  it('drops a partition once its end is at or past the retention, and keeps the one a retained row may be in', () => {
    const existing = [
      range('tasks_initial', null, '2026-12-03T12:00:00Z'),
      range('tasks_p20261203_120000', '2026-12-03T12:00:00Z', '2026-12-03T12:01:00Z'),
      range('tasks_p20261203_120100', '2026-12-03T12:01:00Z', '2026-12-03T12:02:00Z'),
      range('tasks_p20261203_120200', '2026-12-03T12:02:00Z', '2026-12-03T12:09:00Z'),
    ];
    const plan = planPartitions('tasks', existing, minute, at('2026-12-03T12:03:00Z'));
    expect(plan.drop.map((p) => p.name)).toEqual(['tasks_initial', 'tasks_p20261203_120000']);
    expect(planPartitions('tasks', existing, minute, at('2026-12-03T12:02:59.999Z')).drop.map((p) => p.name)).toEqual([
      'tasks_initial',
    ]);
  });

  it('after a long pause starts again at the retention edge, not at the end of the old partitions', () => {
    const existing = [range('tasks_p20261201_000000', '2026-12-01T00:00:00Z', '2026-12-01T00:01:00Z')];
    const plan = planPartitions('tasks', existing, minute, at('2026-12-03T12:00:30Z'));
    expect(plan.create[0]?.name).toBe('tasks_p20261203_115800');
    expect(plan.create.at(-1)?.to.toISOString()).toBe('2026-12-03T12:06:00.000Z');
    expect(plan.drop.map((p) => p.name)).toEqual(['tasks_p20261201_000000']);
  });

  it('with no partition at all, covers the retention and the time ahead', () => {
    const plan = planPartitions('batches', [], minute, at('2026-12-03T12:00:30Z'));
    expect(plan.create[0]?.from.toISOString()).toBe('2026-12-03T11:58:00.000Z');
    expect(plan.create).toHaveLength(8);
  });

  it('follows a changed interval from the end of the existing partitions', () => {
    const existing = [range('tasks_p20261203_000000', '2026-12-03T00:00:00Z', '2026-12-04T00:00:00Z')];
    const hourly = { intervalSeconds: 3_600, retentionSeconds: 86_400 };
    const plan = planPartitions('tasks', existing, hourly, at('2026-12-03T23:00:00Z'));
    expect(plan.create.map((p) => p.name)).toEqual(['tasks_p20261204_000000']);
    expect(plan.create[0]?.to.toISOString()).toBe('2026-12-04T01:00:00.000Z');
  });
});

describe('coverageOf', () => {
  const ranges = [
    range('tasks_initial', null, '2026-12-03T12:00:00Z'),
    range('a', '2026-12-03T12:00:00Z', '2026-12-03T12:01:00Z'),
    // 12:01–12:02 was dropped by hand
    range('c', '2026-12-03T12:02:00Z', '2026-12-03T12:03:00Z'),
  ];

  it('says covered for a time inside a partition, bounds included from and excluded to', () => {
    expect(coverageOf(ranges, at('1999-01-01T00:00:00Z'))).toBe('covered');
    expect(coverageOf(ranges, at('2026-12-03T12:00:00Z'))).toBe('covered');
    expect(coverageOf(ranges, at('2026-12-03T12:02:59.999Z'))).toBe('covered');
  });

  it('says gone for a time before the newest end that no partition holds', () => {
    expect(coverageOf(ranges, at('2026-12-03T12:01:30Z'))).toBe('gone');
    expect(coverageOf([ranges[2] as PartitionRange], at('2026-12-03T11:00:00Z'))).toBe('gone');
  });

  it('says ahead for a time at or past the newest end, and for any time when there are no partitions', () => {
    expect(coverageOf(ranges, at('2026-12-03T12:03:00Z'))).toBe('ahead');
    expect(coverageOf([], at('2026-12-03T12:03:00Z'))).toBe('ahead');
  });
});
