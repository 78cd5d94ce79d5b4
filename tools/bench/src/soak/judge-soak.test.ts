import { describe, expect, it } from 'vitest';
import { judgeSoak, type SoakEvidence } from './judge-soak.js';
import type { SoakSample, TableReading } from './soak-sample.js';

const MINUTE = 60_000;

/** A table of `mb` MB with no partitions. */
const table = (mb: number): TableReading => ({ tableMb: mb, indexMb: 0, partitions: 0, created: 0, dropped: 0 });

/**
 * A sample every 10 s for `minutes`, each series read through `at(minute)`: flat at 100 MB
 * (processes), 2 MB (Redis) and 5 MB (tables) unless `grow` says otherwise.
 */
const samplesOf = (
  minutes: number,
  grow: {
    readonly rss?: (name: string, minute: number) => number | undefined;
    readonly redis?: (minute: number) => number;
    readonly tables?: (minute: number) => number;
  } = {},
): ReadonlyArray<SoakSample> =>
  Array.from({ length: minutes * 6 + 1 }, (_, k): SoakSample => {
    const minute = k / 6;
    // A little jitter that does not lean with time.
    const jitter = k % 2 === 0 ? 1 : -1;
    return {
      atMs: Math.round(minute * MINUTE),
      accepted: Math.round(minute * 60 * 400),
      queued: 10,
      processes: ['api', 'worker-1', 'worker-2'].map((name) => ({
        name,
        rssMb: grow.rss === undefined ? 100 + jitter : grow.rss(name, minute),
        heapMb: 40 + jitter,
        lagMs: 12,
      })),
      redisMb: grow.redis?.(minute) ?? 2,
      tasks: table(grow.tables?.(minute) ?? 5),
      batches: table(0.5),
      lagMs: 12,
      latencyP95Ms: 2_500,
      committed: 4_000,
    };
  });

const evidence = (overrides: Partial<SoakEvidence> = {}): SoakEvidence => ({
  samples: samplesOf(30),
  rate: 400,
  loadMs: 30 * MINUTE,
  warmupMs: 5 * MINUTE,
  intervalSeconds: 86_400,
  retentionSeconds: 7 * 86_400,
  load: { requests: 28_800, acceptedTasks: 720_000, failedRequests: 0, failureSamples: [], maxBacklog: 24 },
  crashes: [],
  logErrors: [{ service: 'api', count: 0, first: [] }],
  retained: { since: '2025-01-01T00:00:00.000Z', sampled: 28_800, eligible: 28_800, checked: 5_000, missing: [] },
  drained: true,
  drainTimeoutMs: 120_000,
  ...overrides,
});

describe('judgeSoak', () => {
  it('passes a run whose every series stays level after warm-up', () => {
    const judgement = judgeSoak(evidence());
    expect(judgement).toMatchObject({ verdict: 'pass', failures: [] });
    expect(judgement.growth.map((finding) => finding.series)).toEqual([
      'api RSS',
      'api heap',
      'worker-1 RSS',
      'worker-1 heap',
      'worker-2 RSS',
      'worker-2 heap',
      'Redis used_memory',
      'tables',
    ]);
  });

  it('names the process that grew, by how much, and its bound', () => {
    const samples = samplesOf(30, { rss: (name, minute) => (name === 'worker-2' ? 100 + 5.4 * minute : 100) });
    const { verdict, failures } = judgeSoak(evidence({ samples }));
    expect(verdict).toBe('fail');
    expect(failures).toEqual([
      'worker-2 RSS grew 5.40 MB/min after warm-up (bound 4.09 MB/min (0.25 MB/min + a 64 MB step over 25.0 min))',
    ]);
  });

  it('forgives what grew during the warm-up', () => {
    const samples = samplesOf(30, { rss: (_, minute) => (minute < 5 ? 50 + 10 * minute : 100) });
    expect(judgeSoak(evidence({ samples })).verdict).toBe('pass');
  });

  it('fails Redis memory that climbs steadily', () => {
    const samples = samplesOf(30, { redis: (minute) => 2 + minute });
    expect(judgeSoak(evidence({ samples })).failures).toEqual([
      expect.stringMatching(/^Redis used_memory grew 1\.00 MB\/min after warm-up/),
    ]);
  });

  it('fails a series it could not read often enough after warm-up to fit a line', () => {
    const samples = samplesOf(30, { rss: (name, minute) => (name === 'worker-1' && minute >= 5 ? undefined : 100) });
    expect(judgeSoak(evidence({ samples })).failures).toEqual([
      'worker-1 RSS could not be judged: read in 0 of 151 samples after warm-up; 3 are needed',
    ]);
  });

  describe('the tables', () => {
    const growing = (mbPerMinute: number) => samplesOf(30, { tables: (minute) => 5 + mbPerMinute * minute });

    it('are reported but not judged while the run is shorter than the retention plus one interval and one more', () => {
      const judgement = judgeSoak(evidence({ samples: growing(10), retentionSeconds: 1_200, intervalSeconds: 600 }));
      const tables = judgement.growth.find((finding) => finding.series === 'tables');
      expect(judgement.verdict).toBe('pass');
      expect(tables?.slopeMbPerMinute).toBeCloseTo(10, 6);
      expect(tables?.boundMbPerMinute).toBeUndefined();
      expect(tables?.bound).toBe(
        'not judged: they grow by design for retention + interval (30.0 min), then need 10.0 min more; the run had 30.0 min',
      );
    });

    it('say how long the services keep rows by default when the run leaves them to it', () => {
      const tables = judgeSoak(evidence()).growth.find((finding) => finding.series === 'tables');
      expect(tables?.bound).toBe(
        'not judged: they grow by design for retention + interval (8.0 d), then need 1.0 d more; the run had 30.0 min',
      );
    });

    it('fail when they keep growing long after the retention should have dropped partitions', () => {
      const judgement = judgeSoak(evidence({ samples: growing(10), retentionSeconds: 120, intervalSeconds: 60 }));
      expect(judgement.failures).toEqual([expect.stringMatching(/^tables grew 10\.0 MB\/min after warm-up/)]);
    });

    it('pass a sawtooth of one interval of rows filled and dropped', () => {
      // 10 MB/min of rows, partitions of one minute, two minutes kept: 20 to 30 MB, dropping a minute's 10 MB.
      const sawtooth = samplesOf(30, { tables: (minute) => (minute < 3 ? 10 * minute : 20 + 10 * (minute % 1)) });
      const judgement = judgeSoak(evidence({ samples: sawtooth, retentionSeconds: 120, intervalSeconds: 60 }));
      expect(judgement.verdict).toBe('pass');
      expect(judgement.growth.find((finding) => finding.series === 'tables')?.boundMbPerMinute).toBeDefined();
    });
  });

  it.each<[string, Partial<SoakEvidence>, RegExp]>([
    [
      'a failed request',
      {
        load: {
          requests: 28_800,
          acceptedTasks: 719_975,
          failedRequests: 1,
          failureSamples: ['503: {"type":"…/queue-full"}'],
          maxBacklog: 24,
        },
      },
      /^1 of 28800 requests failed: 503: \{"type":"…\/queue-full"\}$/,
    ],
    [
      'a load that fell behind',
      { load: { requests: 20_000, acceptedTasks: 500_000, failedRequests: 0, failureSamples: [], maxBacklog: 9_000 } },
      /^the load reached 278 tasks\/s of the 400 asked for/,
    ],
    [
      'a service that exited',
      { crashes: [{ service: 'worker-1', atMs: 192_000, code: 1, signal: null }] },
      /^worker-1 exited by itself at \+3m12s \(code 1, signal null\)$/,
    ],
    [
      'an error in a log',
      { logErrors: [{ service: 'worker-2', count: 2, first: ['{"level":"error","message":"commit failed"}'] }] },
      /^worker-2 logged 2 error line\(s\), the first: \{"level":"error","message":"commit failed"\}/,
    ],
    ['a queue that did not drain', { drained: false }, /^the queue did not drain within 120 s after the load$/],
    [
      'a retained task that is gone',
      {
        retained: {
          since: '2025-01-01T00:00:00.000Z',
          sampled: 100,
          eligible: 50,
          checked: 50,
          missing: [
            { id: '0190a1b2-0000-7000-8000-000000000001', submittedAt: '2025-01-01T00:01:00.000Z', found: '404' },
          ],
        },
      },
      /^1 of 50 tasks still within the retention could not be read back as COMPLETED: 0190a1b2-0000-7000-8000-000000000001 \(404,/,
    ],
  ])('fails %s, saying so', (_, overrides, message) => {
    const judgement = judgeSoak(evidence(overrides));
    expect(judgement.verdict).toBe('fail');
    expect(judgement.failures).toEqual([expect.stringMatching(message)]);
  });
});
