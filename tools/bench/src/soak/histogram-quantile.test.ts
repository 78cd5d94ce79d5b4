import { describe, expect, it } from 'vitest';
import {
  addBuckets,
  bucketsIncrease,
  bucketsOf,
  observationsOf,
  quantileOfBuckets,
  type Buckets,
} from './histogram-quantile.js';
import { parsePrometheusText } from './prometheus-text.js';

const INF = Number.POSITIVE_INFINITY;

describe('bucketsOf', () => {
  it('adds up the task types bound by bound, in ascending order of bound', () => {
    const samples = parsePrometheusText(`
sluice_task_latency_seconds_bucket{le="+Inf",task_type="SMS"} 4
sluice_task_latency_seconds_bucket{le="1",task_type="EMAIL"} 2
sluice_task_latency_seconds_bucket{le="+Inf",task_type="EMAIL"} 6
sluice_task_latency_seconds_bucket{le="1",task_type="SMS"} 1
sluice_task_latency_seconds_count{task_type="EMAIL"} 6
sluice_commit_seconds_bucket{le="1"} 99
`);
    expect(bucketsOf(samples, 'sluice_task_latency_seconds')).toEqual([
      { le: 1, count: 3 },
      { le: INF, count: 10 },
    ]);
  });
});

describe('bucketsIncrease', () => {
  const before: Buckets = [
    { le: 1, count: 10 },
    { le: INF, count: 20 },
  ];

  it('is what was counted between the two scrapes', () => {
    expect(
      bucketsIncrease(before, [
        { le: 1, count: 15 },
        { le: INF, count: 40 },
      ]),
    ).toEqual([
      { le: 1, count: 5 },
      { le: INF, count: 20 },
    ]);
  });

  it('takes a lower count for a restarted process and counts everything since as new', () => {
    const restarted: Buckets = [
      { le: 1, count: 2 },
      { le: INF, count: 3 },
    ];
    expect(bucketsIncrease(before, restarted)).toEqual(restarted);
  });

  it('takes everything as new when there was no scrape before', () => {
    expect(bucketsIncrease(undefined, before)).toEqual(before);
  });
});

describe('quantileOfBuckets', () => {
  const buckets: Buckets = [
    { le: 1, count: 50 },
    { le: 2, count: 100 },
    { le: 5, count: 100 },
    { le: INF, count: 100 },
  ];

  it('interpolates inside the bucket the rank falls in, from 0 below the first', () => {
    expect(quantileOfBuckets(buckets, 0.95)).toBeCloseTo(1.9, 10);
    expect(quantileOfBuckets(buckets, 0.25)).toBeCloseTo(0.5, 10);
  });

  it('answers the highest finite bound for a rank in the +Inf bucket', () => {
    expect(
      quantileOfBuckets(
        [
          { le: 3, count: 10 },
          { le: INF, count: 100 },
        ],
        0.95,
      ),
    ).toBe(3);
  });

  it('has no quantile when nothing was observed', () => {
    expect(
      quantileOfBuckets(
        [
          { le: 1, count: 0 },
          { le: INF, count: 0 },
        ],
        0.95,
      ),
    ).toBeUndefined();
    expect(quantileOfBuckets([], 0.95)).toBeUndefined();
  });
});

describe('addBuckets', () => {
  it('makes one fleet histogram of several workers', () => {
    const fleet = addBuckets([
      [
        { le: 1, count: 1 },
        { le: INF, count: 2 },
      ],
      [
        { le: 1, count: 3 },
        { le: INF, count: 5 },
      ],
    ]);
    expect(fleet).toEqual([
      { le: 1, count: 4 },
      { le: INF, count: 7 },
    ]);
    expect(observationsOf(fleet)).toBe(7);
  });
});
